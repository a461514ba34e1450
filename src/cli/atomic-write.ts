/**
 * Writing a file so that a failure never leaves it half-written: the text
 * goes to a temporary file beside it (same directory, so same file system),
 * which is flushed to the disk (fsync) and only then renamed over the
 * target. rename() replaces a file in one step on POSIX, so a reader, or
 * the user after a crash, a full disk or a file-size limit, finds either
 * the previous file whole or the new one whole; the temporary file is
 * removed when anything fails.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The few calls the write makes: a seam, so tests can make any of them fail. */
export type WriteFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'statSync' | 'realpathSync' | 'fchmodSync'
>;

/** Writes `content` (text as UTF-8, or bytes) to `file` atomically; on failure the file is as it was and no temporary file is left. */
export function writeFileAtomic(file: string, content: string | Uint8Array, fs: WriteFs = nodeFs): void {
  // Through a symbolic link, replace the file it points to, not the link.
  const existing = statOrUndefined(fs, file);
  const target = existing ? fs.realpathSync(file) : file;
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never reuse a file that is already there (a name clash, or a link planted in its place).
  const fd = fs.openSync(temporary, 'wx', 0o666);
  let renamed = false;
  try {
    try {
      // An existing file keeps its permissions, as overwriting it in place would have.
      if (existing) fs.fchmodSync(fd, existing.mode & 0o7777);
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
    renamed = true;
    syncDirectory(fs, dirname(target));
  } finally {
    if (!renamed) {
      try {
        fs.unlinkSync(temporary);
      } catch {
        // Already gone; the write's own error is the one to report.
      }
    }
  }
}

function statOrUndefined(fs: WriteFs, file: string): nodeFs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** Makes the rename itself durable. Best effort: some file systems cannot fsync a directory, and the file is already whole. */
function syncDirectory(fs: WriteFs, directory: string): void {
  try {
    const fd = fs.openSync(directory, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // The new file is in place either way.
  }
}
