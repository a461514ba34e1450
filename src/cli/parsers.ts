/**
 * Option values from the command line, checked as commander reads them: a
 * bad one is an InvalidArgumentError, which commander reports as
 * "error: option '--epochs <n>' argument 'ten' is invalid. ..." and exit 1.
 */
import { InvalidArgumentError } from 'commander';
import { MAX_THREADS } from '../backend/backend.js';
import { METRIC_NAMES, type MetricName } from '../metrics.js';
import { parseNumber } from './cells.js';

export function positiveInteger(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || !Number.isSafeInteger(value) || value <= 0)
    throw new InvalidArgumentError('Expected a positive integer.');
  return value;
}

/** --threads: the wasm backend runs on at most MAX_THREADS, so more is refused here, before any file is read. */
export function threads(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || !Number.isInteger(value) || value <= 0 || value > MAX_THREADS) {
    throw new InvalidArgumentError(`Expected a positive integer, at most ${MAX_THREADS}.`);
  }
  return value;
}

export function positiveNumber(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || value <= 0) throw new InvalidArgumentError('Expected a positive number.');
  return value;
}

/** A fraction strictly between 0 and 1 (a share of the rows). */
export function fraction(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || value <= 0 || value >= 1)
    throw new InvalidArgumentError('Expected a number strictly between 0 and 1.');
  return value;
}

export function seed(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || !Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new InvalidArgumentError('Expected an integer in [0, 2^32).');
  }
  return value;
}

/** Hidden layer sizes: "16,8"; "" or "none" for no hidden layer. */
export function layerSizes(text: string): number[] {
  if (text.trim() === '' || text.trim() === 'none') return [];
  return text.split(',').map((part) => {
    try {
      return positiveInteger(part.trim());
    } catch {
      throw new InvalidArgumentError('Expected hidden layer sizes such as 16,8 (positive integers), or none.');
    }
  });
}

/** A finite number of at least 0 (a penalty's factor). */
export function nonNegativeNumber(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || value < 0) throw new InvalidArgumentError('Expected a number of at least 0.');
  return value;
}

/** A dropout rate: at least 0, below 1. */
export function dropoutRate(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || value < 0 || value >= 1)
    throw new InvalidArgumentError('Expected a rate of at least 0 and below 1.');
  return value;
}

/** Metric names, comma-separated, each known and given once. */
export function metricNames(text: string): MetricName[] {
  const names = text.split(',').map((name) => name.trim());
  const expected = `Expected metric names from ${METRIC_NAMES.join(', ')}, comma-separated.`;
  for (const name of names) {
    if (!METRIC_NAMES.includes(name as MetricName)) throw new InvalidArgumentError(`"${name}" is not a metric. ${expected}`);
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`"${twice}" is given twice. ${expected}`);
  return names as MetricName[];
}

/** An integer of at least 0 (epochs of patience). */
export function nonNegativeInteger(text: string): number {
  const value = parseNumber(text);
  if (value === undefined || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError('Expected an integer of at least 0.');
  return value;
}

/** --delimiter's names and characters, and the byte each is. */
const DELIMITERS: Record<string, number> = { ',': 0x2c, comma: 0x2c, ';': 0x3b, semicolon: 0x3b, '\t': 0x09, tab: 0x09 };

export function delimiter(text: string): number {
  const byte = DELIMITERS[text];
  if (byte === undefined) throw new InvalidArgumentError('Expected comma, semicolon or tab (or the character itself).');
  return byte;
}
