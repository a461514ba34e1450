/**
 * How a command reads its data file, set for the command's run: standard
 * input (`-`) and the delimiter. Standard input cannot be read twice, and
 * train reads its file more than once (a first pass, then an epoch a pass
 * when streamed), so `-` is first copied to a temporary file, read from
 * there and removed when the command ends. The delimiter is detected from
 * the header line (the most frequent of comma, semicolon and tab outside
 * quotes) unless --delimiter names it. (No commander here: csvDataset,
 * in wasmlp/node, reads files through the same modules.)
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { COMMA, type Delimiter } from './csv-tokens.js';

/** The name that stands for standard input. */
export const STDIN = '-';

/** Each data file of the running command: the file read for it (standard input's copy), and its delimiter. */
const inputs = new Map<string, { path: string; delimiter: Delimiter }>();

/** The file to open for `file`: standard input's copy while a command runs on it. */
export function inputPath(file: string): string | undefined {
  return file === STDIN ? inputs.get(file)?.path : file;
}

/** The delimiter of `file`: a command's (detected, unless given); comma for a file no command registered (csvDataset's). */
export function delimiterOf(file: string): Delimiter {
  return inputs.get(file)?.delimiter ?? COMMA;
}

export interface DataInputOptions {
  delimiter?: number;
}

/**
 * Runs a command on its data file: `-` copied from `stdin` first, the
 * delimiter registered; the copy removed and the registration undone after.
 */
export async function withDataInput<T>(
  file: string,
  options: DataInputOptions,
  stdin: NodeJS.ReadableStream | undefined,
  run: () => Promise<T>,
): Promise<T> {
  let dir: string | undefined;
  const remove = (): void => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  };
  try {
    let path = file;
    if (file === STDIN) {
      if (stdin === undefined) throw new Error('-: cannot read the data file: there is no standard input to read');
      if ((stdin as NodeJS.ReadStream).isTTY) {
        throw new Error('-: cannot read the data file: standard input is a terminal; pipe or redirect a CSV file into it');
      }
      dir = mkdtempSync(join(tmpdir(), 'wasmlp-stdin-'));
      path = join(dir, 'stdin.csv');
      // Removed on exit too, should the command be cut short (an EPIPE ends the process at once).
      process.once('exit', remove);
      await pipeline(stdin, createWriteStream(path, { mode: 0o600 }));
    }
    inputs.set(file, { path, delimiter: options.delimiter ?? 'auto' });
    return await run();
  } finally {
    inputs.delete(file);
    remove();
    process.removeListener('exit', remove);
  }
}
