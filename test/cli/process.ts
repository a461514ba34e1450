/**
 * The command line run as a real process, `node bin/wasmlp.js ...argv`
 * (dist/cli.js once built, the sources through tsx before), with its
 * output, exit code and, if given, its standard input.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Run } from './run.js';

const BIN = fileURLToPath(new URL('../../bin/wasmlp.js', import.meta.url));

export interface ProcessOptions {
  /** Added to the process's environment. */
  env?: Record<string, string>;
  /** Written to its standard input, which is then closed (closed at once if none). */
  input?: string | Buffer;
}

export function cli(argv: readonly string[], options: ProcessOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A command that stops reading early closes the pipe: not a failure of the test.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}
