/** The command line run in-process for tests: main(argv) with its output captured. */
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wasmlp ...argv` in-process; stderr is not a TTY, so no progress bar. */
export async function wasmlp(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (text) => void (stdout += text) }, stderr: { write: (text) => void (stderr += text) } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A saved model file (parsed) with some of the command line's metadata (metadata.wasmlp) replaced. */
// biome-ignore lint/suspicious/noExplicitAny: a parsed file, edited to be malformed
export function withMetadata(saved: any, wasmlp: Record<string, unknown>): object {
  return { ...saved, metadata: { ...saved.metadata, wasmlp: { ...saved.metadata.wasmlp, ...wasmlp } } };
}

/** Output with train's elapsed time (its summary line's `in 14ms`) written as `in <time>`: two runs compare equal. */
export function untimed(output: string): string {
  return output.replace(/^(Trained \d+ epochs?) in (?:\d+ms|\d+\.\ds|\d+m\d\ds|\d+h\d\dm):/gm, '$1 in <time>:');
}

/**
 * A model file's text, parsed, without its training record (when it was
 * trained, how long it took, the options as given): two runs that train
 * the same model compare equal.
 */
// biome-ignore lint/suspicious/noExplicitAny: a parsed file
export function untrained(text: string): any {
  const model = JSON.parse(text);
  delete model.metadata?.wasmlp?.training;
  return model;
}
