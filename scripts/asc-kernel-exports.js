/**
 * An asc transform: each generic function marked @kernel is exported once
 * per dtype, as name + F32 and name + F64, with the signature
 * it is written with. T becomes f32 or f64; a bool crosses as an i32 (0 or
 * 1) and is compared with 0 on the way in. The exports are parsed as one
 * more entry file, so a kernel is exported by its own file's marker and
 * written nowhere else in assembly/.
 *
 * An entry may narrow that to a list, `const EXPORTED_KERNELS = ['name', …];`
 * (the forward-only modules, assembly/index.predict.*.ts): only the exports
 * it names are made, a kernel's name for both dtypes or an export's own
 * name (nameF32) for one, and the list itself is removed before compiling.
 *
 * package.json's asbuild scripts pass it with --transform, not asconfig.json:
 * asc resolves a configured transform with a folder part as a package name.
 */
import { posix } from 'node:path';
import { CommonFlags, LiteralKind, NodeKind, SourceKind } from 'assemblyscript';
import { Transform } from 'assemblyscript/transform';

const DTYPES = [
  ['F32', 'f32'],
  ['F64', 'f64'],
];
/** The entry the exports are parsed as: no file on disk has this name. */
const GENERATED = 'assembly/kernels.generated.ts';

export default class KernelExports extends Transform {
  afterParse(parser) {
    const only = takeExportList(parser.sources);
    const imports = [];
    const exports = [];
    for (const source of parser.sources) {
      for (const statement of source.statements) {
        if (statement.kind !== NodeKind.FunctionDeclaration || !takeMarker(statement)) continue;
        const name = statement.name.text;
        const both = !only || only.delete(name);
        const dtypes = DTYPES.filter(([suffix]) => both || only.delete(name + suffix));
        if (!dtypes.length) continue;
        const where = `@kernel ${name} (${source.normalizedPath})`;
        if (!(statement.flags & CommonFlags.Export)) throw new Error(`${where}: a kernel must be exported from its file`);
        if (statement.typeParameters?.length !== 1 || statement.typeParameters[0].name.text !== 'T') {
          throw new Error(`${where}: a kernel takes one type parameter, T`);
        }
        const from = posix.relative(posix.dirname(GENERATED), source.internalPath);
        imports.push(`import { ${name} } from './${from}';`);
        const { parameters, returnType } = statement.signature;
        for (const [suffix, T] of dtypes) {
          const crossed = parameters.map((p) => {
            if (p.initializer) throw new Error(`${where}: parameter ${p.name.text} has a default; a kernel's are all passed`);
            const type = typeName(p.type, T, where);
            return type === 'bool'
              ? { declared: `${p.name.text}: i32`, passed: `${p.name.text} != 0` }
              : { declared: `${p.name.text}: ${type}`, passed: p.name.text };
          });
          exports.push(
            `export function ${name}${suffix}(${crossed.map((c) => c.declared).join(', ')}): ${typeName(returnType, T, where)} {\n` +
              `  return ${name}<${T}>(${crossed.map((c) => c.passed).join(', ')});\n}`,
          );
        }
      }
    }
    if (only?.size) throw new Error(`${EXPORT_LIST} names ${[...only].join(', ')}, which no imported file marks @kernel`);
    if (exports.length) parser.parseFile(`${[...imports, ...exports].join('\n')}\n`, GENERATED, true);
  }
}

/** The name of the list an entry narrows its exports with. */
const EXPORT_LIST = 'EXPORTED_KERNELS';

/**
 * The kernels an entry file's `const EXPORTED_KERNELS = [...]` names, as a
 * set, the statement removed; undefined when no entry has one (every
 * kernel is exported).
 */
function takeExportList(sources) {
  for (const source of sources) {
    if (source.sourceKind !== SourceKind.UserEntry) continue;
    const at = source.statements.findIndex(
      (s) => s.kind === NodeKind.Variable && s.declarations.some((d) => d.name.text === EXPORT_LIST),
    );
    if (at < 0) continue;
    const [statement] = source.statements.splice(at, 1);
    const list = statement.declarations[0].initializer;
    const names = list?.kind === NodeKind.Literal && list.literalKind === LiteralKind.Array ? list.elementExpressions : [];
    if (statement.declarations.length !== 1 || !names.length || !names.every(isStringLiteral)) {
      throw new Error(`${EXPORT_LIST} (${source.normalizedPath}) must be one const of a non-empty array of kernel names`);
    }
    return new Set(names.map((name) => name.value));
  }
  return undefined;
}

function isStringLiteral(node) {
  return node?.kind === NodeKind.Literal && node.literalKind === LiteralKind.String;
}

/** Whether the function is marked @kernel; removes the marker, which asc itself would refuse. */
function takeMarker(declaration) {
  const decorators = declaration.decorators ?? [];
  const at = decorators.findIndex((d) => d.name.kind === NodeKind.Identifier && d.name.text === 'kernel');
  if (at < 0) return false;
  decorators.splice(at, 1);
  if (!decorators.length) declaration.decorators = null;
  return true;
}

/** A parameter's or the result's type, T as `T`; only plain names (i32, usize, bool, f64, T, void). */
function typeName(node, T, where) {
  if (node.kind !== NodeKind.NamedType || node.typeArguments?.length || node.isNullable) {
    throw new Error(`${where}: only plain type names cross into a kernel's export`);
  }
  const name = node.name.identifier.text;
  return name === 'T' ? T : name;
}
