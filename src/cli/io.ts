/**
 * Where the command line writes. main() takes this instead of touching
 * process.stdout directly, so tests can run commands in-process and read
 * what they printed; `predict` keeps stdout for CSV alone.
 */
import { once } from 'node:events';

export interface Output {
  write(text: string): void;
  /** True only for a terminal: the progress bar is drawn only then. */
  readonly isTTY?: boolean;
  /** The stream itself, for cli-progress (which needs a real stream). */
  readonly stream?: NodeJS.WritableStream;
  /**
   * Resolves once what was written has gone out (the stream is below its
   * buffer's limit): predict waits on it between batches, so output to a
   * slow reader is held in batches, not all in memory at once.
   */
  drained?(): Promise<void>;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  /** Read for a data file named `-` (data-input.ts); none in-process. */
  stdin?: NodeJS.ReadableStream;
}

function fromStream(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => void stream.write(text),
    isTTY: stream.isTTY === true,
    stream,
    // once() rejects if the stream fails instead; a closed pipe ends the process (below).
    drained: async () => {
      if (stream.writableNeedDrain) await once(stream, 'drain');
    },
  };
}

export function processIo(): Io {
  // A reader that stops early (`wasmlp predict ... | head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return { stdout: fromStream(process.stdout), stderr: fromStream(process.stderr), stdin: process.stdin };
}
