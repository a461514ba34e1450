/**
 * Which data files are streamed: those larger than STREAM_ABOVE_BYTES
 * (32 MiB) are read in one pass a block of rows at a time, in memory bounded
 * by the block; smaller ones are read whole, as the rows' numbers (a few
 * times the file's size at most), and checked to the last row before
 * anything is written. WASMLP_STREAM_ABOVE sets the size in bytes (0 streams
 * every file): a machine short of memory streams smaller files.
 */
import { statSync } from 'node:fs';
import { inputPath } from './data-input.js';

export const STREAM_ABOVE_BYTES = 32 * 2 ** 20;

/** Rows a block when streaming (and a batch of validation rows in a streamed training). */
export const STREAM_BLOCK_ROWS = 4096;

/** A streamed training's shuffle buffer holds as many rows as fit in this (64 MiB) as float32 inputs and labels. */
export const SHUFFLE_BUFFER_BYTES = 64 * 2 ** 20;

function threshold(): number {
  const text = process.env.WASMLP_STREAM_ABOVE;
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : STREAM_ABOVE_BYTES;
}

/** Whether `file` is streamed; a file that cannot be looked at is not (reading it whole then says why). */
export function streams(file: string): boolean {
  try {
    const path = inputPath(file);
    if (path === undefined) return false;
    const stats = statSync(path);
    return stats.isFile() && stats.size > threshold();
  } catch {
    return false;
  }
}
