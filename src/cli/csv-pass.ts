/**
 * One pass over a CSV file's bytes, a chunk at a time, checked as text
 * (text-check.ts): what streaming reads file by, holding one chunk at a
 * time. A file read more than once (a first pass for its columns and
 * statistics, then one pass an epoch) must stay as it was between passes:
 * each pass checks the file's size, modification time and inode against
 * the first pass's, before and after reading it, and that it read exactly
 * that many bytes; rows appended, a file truncated or rewritten are refused.
 */
import { closeSync, fstatSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { openRegularFile } from './input-file.js';
import { TextChecker } from './text-check.js';

/** What a file was when first read. */
/** Bytes read from the file at a time. */
export const READ_CHUNK_BYTES = 1 << 20;

export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/**
 * The checked bytes of `file`, a chunk at a time; a fault in the text ends
 * the pass after the bytes before it. `stamp` is the first pass's (each
 * later pass is checked against it); `onStamp` is given this pass's.
 */
export async function* passChunks(
  file: string,
  stamp?: FileStamp,
  onStamp?: (stamp: FileStamp) => void,
  chunkBytes = READ_CHUNK_BYTES,
): AsyncGenerator<Buffer> {
  const { fd, stats } = openRegularFile(file, 'the data file');
  try {
    const first = stampOf(stats);
    if (stamp !== undefined) checkSame(file, stamp, first);
    onStamp?.(first);
    const checker = new TextChecker(file, 'the data file');
    let position = 0;
    // One buffer for every read: the tokenizer copies what it holds back, and each chunk is parsed before the next read.
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await readAt(fd, buffer, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const { body, fault } = checker.next(buffer.subarray(0, bytesRead));
      if (body.length > 0) yield body;
      if (fault !== undefined) throw fault;
    }
    const fault = checker.end();
    if (fault !== undefined) throw fault;
    const last = stampOf(fstatSync(fd));
    checkSame(file, stamp ?? first, last);
    if (position !== last.size) checkSame(file, stamp ?? first, { ...last, size: position });
  } finally {
    closeSync(fd);
  }
}

const readAt = promisify(read);

function stampOf(stats: { size: number; mtimeMs: number; ino: number }): FileStamp {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
}

function checkSame(file: string, was: FileStamp, now: FileStamp): void {
  if (now.ino !== was.ino) throw changed(file, 'it was replaced by another file');
  if (now.size !== was.size) {
    throw changed(
      file,
      `it had ${was.size} bytes and now has ${now.size} (rows ${now.size > was.size ? 'appended' : 'cut off'}?)`,
    );
  }
  if (now.mtimeMs !== was.mtimeMs) throw changed(file, 'it was modified (its modification time changed)');
}

function changed(file: string, how: string): Error {
  return new Error(
    `${file}: the data file changed while it was being read: ${how}; ` +
      'it is read once for its columns and statistics and again for each epoch, so it must stay as it is until the command ends',
  );
}
