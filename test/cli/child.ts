/** Helpers of the command line's tests: the command as a real process, temporary files, generated CSVs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/random.js';
import { cli } from './process.js';
import type { Run } from './run.js';

/** Runs `wasmlp ...argv` as a child process (process.ts); `env` adds to the process's environment. */
export function wasmlpProcess(argv: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return cli(argv, { env });
}

/** A temporary folder; `file(name, text)` writes a file there and returns its path. */
export function tempFolder(prefix: string): {
  dir: string;
  path: (name: string) => string;
  file: (name: string, text: string) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = (name: string): string => join(dir, name);
  return {
    dir,
    path,
    file: (name, text) => {
      writeFileSync(path(name), text);
      return path(name);
    },
  };
}

/** A standard normal draw (Box-Muller) from `random`. */
export function normal(random: Random): number {
  const u = 1 - random.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.uniform());
}

/** A CSV of `header` and `rows`. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${[header.join(','), ...rows.map((row) => row.join(','))].join('\n')}\n`;
}

export { Random };

/** The epoch lines of a `train` run's output, each as its logs by name. */
export function epochLogs(stdout: string): Record<string, number>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('Epoch '))
    .map((line) => {
      const logs: Record<string, number> = {};
      const parts = line.split(/\s+/).slice(2);
      for (let i = 0; i + 1 < parts.length; i += 2) logs[parts[i]] = Number(parts[i + 1]);
      return logs;
    });
}
