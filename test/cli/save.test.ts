/**
 * `train --save` never destroys the previous model: the new one is written
 * beside it and renamed over it only once whole. A real fault (a file-size
 * limit, ulimit -f, in a child process) and injected ones (through the
 * write's fs seam) leave the old file byte for byte, and no temporary file.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type WriteFs, writeFileAtomic } from '../../src/cli/atomic-write.js';
import { wasmlp } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'wasmlp-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);

const TRAIN = ['train', 'examples/iris.csv', '--target', 'species', '--epochs', '1', '--layers', '64'];

describe('train --save', () => {
  it('keeps the previous model byte for byte when a file-size limit (ulimit -f) stops the write, and leaves no temporary file', async () => {
    const sub = mkdtempSync(join(dir, 'ulimit-'));
    const model = join(sub, 'model.json');
    expect((await wasmlp(...TRAIN, '--seed', '1', '--save', model)).code).toBe(0);
    const before = readFileSync(model);
    // A 64-unit layer makes the model about 14 kB; the limit is 4 blocks (2 kB in dash's 512-byte blocks, 4 kB in bash's).
    expect(before.length).toBeGreaterThan(8192);
    const limited = await run('/bin/sh', [
      '-c',
      'ulimit -f 4 && exec "$0" "$@"',
      process.execPath,
      'bin/wasmlp.js',
      ...TRAIN,
      '--seed',
      '2',
      '--save',
      model,
    ]).catch((error) => error);
    // Exit 1 with a clear line, not death by SIGXFSZ (Node ignores that signal, so the write fails with EFBIG).
    expect(limited.signal ?? null).toBeNull();
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(new RegExp(`^error: ${model}: cannot write the model file: EFBIG: file too large, write\\n$`));
    expect(readFileSync(model).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(['model.json']);
  });

  it('leaves the previous model and no temporary file when writing, syncing or renaming fails', () => {
    const model = join(dir, 'seam.json');
    writeFileSync(model, '{"previous":true}\n');
    const failing = (name: keyof WriteFs): WriteFs => ({
      ...fs,
      [name]: () => {
        throw new Error(`${name} failed`);
      },
    });
    for (const name of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
      expect(() => writeFileAtomic(model, '{"new":true}\n', failing(name))).toThrow(`${name} failed`);
      expect(readFileSync(model, 'utf8')).toBe('{"previous":true}\n');
      expect(readdirSync(dir).filter((f) => f.includes('seam.json'))).toEqual(['seam.json']);
    }
    // A write of fewer bytes than asked (as on a nearly full disk) is continued, not mistaken for the whole.
    let calls = 0;
    const short: WriteFs = {
      ...fs,
      writeSync: ((fd: number, buffer: Buffer, offset: number, length: number) => {
        calls++;
        return fs.writeSync(fd, buffer, offset, Math.min(length, 3));
      }) as WriteFs['writeSync'],
    };
    writeFileAtomic(model, '{"new":true}\n', short);
    expect(readFileSync(model, 'utf8')).toBe('{"new":true}\n');
    expect(calls).toBe(5);
  });

  it("replaces the file a symbolic link points to, keeping the link and the file's permissions", () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    writeFileSync(real, 'old\n', { mode: 0o640 });
    fs.chmodSync(real, 0o640);
    symlinkSync(real, link);
    writeFileAtomic(link, 'new\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new\n');
    expect(statSync(real).mode & 0o777).toBe(0o640);
  });
});
