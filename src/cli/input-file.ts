/**
 * Opening a file the command line reads: a regular file only. A directory,
 * a FIFO, a terminal or a device such as /dev/zero is refused before a
 * byte is read: a pipe or a device can block forever or never end, and
 * reading it whole would grow without limit. (Standard input, `-`, is read
 * from the copy data-input.ts makes of it: every input is a file, which
 * errors can name and re-read to place a fault.) Opened non-blocking, so a
 * FIFO with no writer is refused at once rather than waited on; a regular
 * file reads the same either way.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { inputPath, STDIN } from './data-input.js';

/** `what` names the file in messages: 'the data file', 'the model file'. */
export function openRegularFile(file: string, what: string): { fd: number; stats: Stats } {
  const path = what === 'the data file' ? inputPath(file) : file === STDIN ? undefined : file;
  if (path === undefined) {
    throw new Error(
      what === 'the data file'
        ? '-: cannot read the data file: there is no standard input to read'
        : `-: cannot read ${what}: standard input is read as the data file only; give a file`,
    );
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new Error(`${file}: cannot read ${what}: ${reason}`);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new Error(
      `${file}: cannot read ${what}: ${stats.isDirectory() ? 'is a directory' : `it is ${kind(stats)}, not a regular file`}`,
    );
  }
  return { fd, stats };
}

function kind(stats: Stats): string {
  if (stats.isFIFO()) return 'a pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
