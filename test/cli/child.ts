/** The command line as a real process: bin/wasmlp.js, which runs dist/cli.js (npm run build first). */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/random.js';
import type { Run } from './run.js';

/** Runs `wasmlp ...argv` as a child process; `env` adds to the process's environment. */
export function wasmlpProcess(argv: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/wasmlp.js', ...argv],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
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
