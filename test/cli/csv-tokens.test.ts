/**
 * The CSV tokenizer against csv-parse, the parser the command line used
 * before it, with the options it used: the same records from random
 * well-formed files (quoted cells with commas, doubled quotes and line
 * breaks, padding, blank lines, CRLF, a byte-order mark), whatever the
 * chunks the bytes arrive in; and numbers read from their digits exactly as
 * Number() reads them.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../src/cli/cells.js';
import { type CsvSyntaxError, CsvTokenizer, NUMBER, TEXT } from '../../src/cli/csv-tokens.js';

/** Every record of `text` as text, the bytes fed `chunk` at a time; with `numbers`, fields after the first read as numbers. */
function tokenize(text: string | Buffer, chunk = 1 << 20, numbers = false): { records: (string | number)[][]; lines: number[] } {
  const records: (string | number)[][] = [];
  const lines: number[] = [];
  const tokens = new CsvTokenizer((fields, line) => {
    records.push(
      Array.from({ length: fields }, (_, k) => (numbers && records.length > 0 && k > 0 ? tokens.numbers[k] : tokens.texts[k])),
    );
    lines.push(line);
    if (numbers && records.length === 1) tokens.setKinds(Uint8Array.from({ length: fields }, (_, k) => (k > 0 ? NUMBER : TEXT)));
  });
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunk) tokens.write(bytes.subarray(at, at + chunk));
  tokens.end();
  return { records, lines };
}

const OPTIONS = { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true };

/** A cell as written in a file, and the text it stands for. */
const cell = fc.oneof(
  fc.stringMatching(/^[a-z0-9 .-]{0,6}$/).map((text) => ({ raw: text, text: text.trim() })),
  fc
    .array(fc.constantFrom('a', '1', ',', '"', '\n', '\r\n', ' ', 'é'), { maxLength: 6 })
    .map((parts) => parts.join(''))
    .map((text) => ({ raw: `"${text.replaceAll('"', '""')}"`, text })),
  fc
    .tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('"x,y"', '"1.5"'), fc.constantFrom('', ' '))
    .map(([before, quoted, after]) => ({ raw: `${before}${quoted}${after}`, text: quoted.slice(1, -1) })),
);

const file = fc.record({
  rows: fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  blankAfter: fc.integer({ min: 0, max: 8 }),
  lastEol: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 64 }),
});

describe('the CSV tokenizer', () => {
  it('reads the records csv-parse reads, in chunks of any size', () => {
    fc.assert(
      fc.property(file, ({ rows, eol, bom, blankAfter, lastEol, chunk }) => {
        const lines = rows.map((row) => row.map((c) => c.raw).join(','));
        if (blankAfter < lines.length) lines.splice(blankAfter, 0, '');
        const text = `${bom ? '\uFEFF' : ''}${lines.join(eol)}${lastEol ? eol : ''}`;
        const expected = parse(text, OPTIONS) as string[][];
        expect(tokenize(text, chunk).records).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the cells the command line reads: quotes, CRLF, a BOM, padding, blank lines', () => {
    const { records, lines } = tokenize('\uFEFFa, "b,c"\r\n1,"x\ny"\r\n\r\n 2 ,3\r\n"say ""hi""",\t" 4 " \r\n');
    expect(records).toEqual([
      ['a', 'b,c'],
      ['1', 'x\ny'],
      ['2', '3'],
      ['say "hi"', ' 4 '],
    ]);
    expect(lines).toEqual([1, 3, 5, 6]);
  });

  it('ends a line at LF, CRLF or a lone CR, anywhere in a file', () => {
    // csv-parse took the first line's ending for the whole file: here, "2\n3" would be one cell.
    expect(tokenize('a,b\r\n1,2\n3,4\r5,6').records).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(tokenize('a\r\n"x\r\ny"\r\n1\r\n').lines).toEqual([1, 3, 4]);
  });

  it('places broken quotes: the line of the quote, the records before it, the field', () => {
    const problem = (text: string, chunk?: number): object => {
      try {
        tokenize(text, chunk);
      } catch (error) {
        const { problem, line, record, field } = error as CsvSyntaxError;
        return { problem, line, record, field };
      }
      return {};
    };
    for (const chunk of [1, 3, 1 << 20]) {
      expect(problem('a,b,c\n1,2,x\n3,4,"y\n5,6,x\n', chunk)).toEqual({ problem: 'unclosed', line: 3, record: 2, field: 2 });
      expect(problem('a,b,c\n1,2,x\n3,4,y"z\n', chunk)).toEqual({ problem: 'opening', line: 3, record: 2, field: 2 });
      expect(problem('a,b\r\n"say ""hi""\r\nthere"x,1\r\n', chunk)).toEqual({ problem: 'closing', line: 3, record: 1, field: 0 });
      expect(problem('a,b"c\n', chunk)).toEqual({ problem: 'opening', line: 1, record: 0, field: 1 });
    }
  });

  it('reads numbers from their digits as Number() does, and the rest through parseNumber', () => {
    const decimal = fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        fc.stringMatching(/^[0-9]{0,20}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,20}$/)),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{0,3}$/))),
        fc.constantFrom('', ' ', '\t'),
      )
      .map(([sign, whole, fraction, exponent, pad]) => {
        const text = `${sign}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`;
        return `${pad}${text}${pad}`;
      });
    fc.assert(
      fc.property(fc.array(decimal, { minLength: 1, maxLength: 6 }), (cells) => {
        const { records } = tokenize(`id,${cells.map((_, k) => `c${k}`).join(',')}\nr,${cells.join(',')}\n`, 1 << 20, true);
        cells.forEach((text, k) => {
          const value = records[1][k + 1];
          const expected = parseNumber(text);
          if (expected === undefined) expect(value).toBeNaN();
          else expect(Object.is(value, expected)).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
    const { records } = tokenize('id,a,b,c,d\nr,0.1,-0,123456789012345678,"2.5"\n', 4, true);
    expect(records[1].slice(1)).toEqual([0.1, -0, 123456789012345678, 2.5]);
  });
});
