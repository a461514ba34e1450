/**
 * Where the command line writes. main() takes this instead of touching
 * process.stdout directly, so tests can run commands in-process and read
 * what they printed; `predict` keeps stdout for CSV alone.
 */
export interface Output {
  write(text: string): void;
  /** True only for a terminal: the progress bar is drawn only then. */
  readonly isTTY?: boolean;
  /** The stream itself, for cli-progress (which needs a real stream). */
  readonly stream?: NodeJS.WritableStream;
}

export interface Io {
  stdout: Output;
  stderr: Output;
}

function fromStream(stream: NodeJS.WriteStream): Output {
  return { write: (text) => void stream.write(text), isTTY: stream.isTTY === true, stream };
}

export function processIo(): Io {
  // A reader that stops early (`wasmlp predict ... | head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return { stdout: fromStream(process.stdout), stderr: fromStream(process.stderr) };
}
