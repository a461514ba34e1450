/**
 * `npm run docs`: the API reference in docs/api/, from the TSDoc comments of
 * what the package's entries export: wasmlp (src/index.ts), and
 * wasmlp/formats, wasmlp/predict and wasmlp/node in folders of their own.
 *
 *   tsc                emits the declarations (tsconfig.build.json) into a temporary folder
 *   API Extractor      reads them with its own TypeScript (the project's is the
 *                      native port, which has no compiler API), checks the
 *                      comments' syntax and that every public name is documented
 *                      (api-extractor.json), and writes a doc model
 *   api-markdown.ts    turns the model into markdown pages
 *
 * Every message fails the run (exit code 1) after the pages are written, so a
 * reference with an undocumented name or a malformed comment never passes.
 *
 *   tsx scripts/docs.ts [--out DIR]    DIR defaults to docs/api
 *
 * test/package/api-docs.test.ts generates into a temporary folder and
 * compares it with docs/api/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { FOLDERS, README, renderApiPages } from './api-markdown.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = path.join(ROOT, 'api-extractor.json');

/**
 * The package's entries ("exports"), each documented on its own: its
 * declarations, and the folder of docs/api/ its pages go to.
 */
const ENTRIES = [
  { name: 'wasmlp', declarations: 'index.d.ts', folder: '' },
  { name: 'wasmlp/formats', declarations: 'formats/index.d.ts', folder: 'formats' },
  { name: 'wasmlp/predict', declarations: 'predict/index.d.ts', folder: 'predict' },
  { name: 'wasmlp/node', declarations: 'node/index.d.ts', folder: 'node' },
] as const;

/** Emits the declarations (tsconfig.build.json) into `work`/types; returns that folder. */
function declarations(work: string): string {
  const types = path.join(work, 'types');
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsc'),
    ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', types, '--declarationMap'],
    { stdio: 'inherit' },
  );
  return types;
}

/** Runs API Extractor on one entry's declarations; returns the doc model's path and every warning. */
function extract(work: string, types: string, entry: (typeof ENTRIES)[number]): { model: string; warnings: string[] } {
  const model = path.join(work, `${entry.folder || 'wasmlp'}.api.json`);
  const configObject = ExtractorConfig.loadFile(CONFIG);
  configObject.mainEntryPointFilePath = path.join(types, entry.declarations);
  // The API report only carries ae-undocumented, which API Extractor reports with it; it is not kept.
  configObject.apiReport = {
    ...configObject.apiReport!,
    reportFolder: work,
    reportTempFolder: work,
    reportFileName: entry.folder || 'wasmlp',
  };
  configObject.docModel = { ...configObject.docModel!, apiJsonFilePath: model };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: CONFIG,
    packageJsonFullPath: path.join(ROOT, 'package.json'),
  });
  const warnings: string[] = [];
  Extractor.invoke(config, {
    localBuild: true,
    messageCallback(message) {
      if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
        warnings.push(message.formatMessageWithLocation(ROOT));
      }
      message.handled = true;
    },
  });
  return { model, warnings };
}

/**
 * A second entry's warnings, less those about a name the library's entry
 * exports: that name is documented there, and its pages link to it.
 */
function ownWarnings(warnings: readonly string[], library: ReadonlyMap<string, string>): string[] {
  return warnings.filter((warning) => {
    const name = /\(ae-forgotten-export\) The symbol "([^"]+)"|\(ae-unresolved-link\).* does not have an export "([^"]+)"/.exec(
      warning,
    );
    return !(name && library.has(name[1] ?? name[2]));
  });
}

/** Replaces what `out` holds with `pages`, refusing a folder that holds anything else. */
async function writePages(out: string, pages: Map<string, string>): Promise<void> {
  const entries = await readdir(out).catch(() => [] as string[]);
  const ours = [README, ...FOLDERS, ...ENTRIES.map((entry) => entry.folder).filter(Boolean)];
  const foreign = entries.filter((entry) => !ours.includes(entry));
  if (foreign.length > 0)
    throw new Error(`docs: ${out} holds ${foreign.join(', ')}, which the reference does not; not replacing it`);
  for (const entry of entries) await rm(path.join(out, entry), { recursive: true, force: true });
  for (const [file, text] of pages) {
    await mkdir(path.dirname(path.join(out, file)), { recursive: true });
    await writeFile(path.join(out, file), text);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'docs', 'api') } } });
  const out = path.resolve(values.out!);
  const work = await mkdtemp(path.join(tmpdir(), 'wasmlp-docs-'));
  try {
    const types = declarations(work);
    const warnings: string[] = [];
    const pages = new Map<string, string>();
    let library = new Map<string, string>();
    for (const entry of ENTRIES) {
      const extracted = extract(work, types, entry);
      const rendered = renderApiPages(extracted.model, { name: entry.name, folder: entry.folder, library });
      if (entry.folder === '') library = rendered.exports;
      warnings.push(...(entry.folder === '' ? extracted.warnings : ownWarnings(extracted.warnings, library)));
      for (const [file, text] of rendered.pages) pages.set(entry.folder ? `${entry.folder}/${file}` : file, text);
    }
    const others = ENTRIES.filter((entry) => entry.folder !== '').map((entry) => `- [${entry.name}](${entry.folder}/${README})`);
    pages.set(README, `${pages.get(README)}\n## The other entries\n\n${others.join('\n')}\n`);
    await writePages(out, pages);
    console.log(`API reference written to ${path.relative(process.cwd(), out) || '.'}`);
    if (warnings.length === 0) return 0;
    for (const warning of warnings) console.error(`warning: ${warning}`);
    console.error(`${warnings.length} warning(s): every exported name needs a well-formed TSDoc comment`);
    return 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
