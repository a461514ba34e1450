/**
 * When and how a model was trained, saved in its model file
 * (metadata.wasmlp.training) for `wasmlp info` to show: the time, the
 * wasmlp version, the data file and its rows, every option of the run as
 * it took effect (the seed drawn, the learning rate chosen), and the
 * epochs, time and metrics it ended with. Only shown, never read back to
 * predict: a file without it (saved before, or by the API) works the same.
 */
// esbuild inlines it in dist/cli.js, from where this relative path would not reach it.
import pkg from '../../package.json' with { type: 'json' };
import type { Logs } from '../index.js';

export interface TrainingRecord {
  /** ISO 8601, UTC. */
  trainedAt: string;
  wasmlp: string;
  /** The data file as given (`-` for standard input). */
  data: string;
  trainRows: number;
  validationRows: number;
  /** Rows left out for a missing cell (--missing drop). */
  droppedRows: number;
  /** The command line's options as they took effect, by their names in the command (camelCase). */
  options: Record<string, unknown>;
  epochs: number;
  seconds: number;
  /** The last epoch's metrics. */
  metrics: Logs;
}

export function trainingRecord(parts: Omit<TrainingRecord, 'trainedAt' | 'wasmlp'>, now = new Date()): TrainingRecord {
  // Options left unset are left out; JSON keeps the rest as they are (numbers, strings, lists).
  const options = Object.fromEntries(Object.entries(parts.options).filter(([, value]) => value !== undefined));
  return {
    trainedAt: now.toISOString(),
    wasmlp: pkg.version,
    ...parts,
    seconds: Math.round(parts.seconds * 1000) / 1000,
    options,
  };
}

/**
 * The record in a model file, if it is one, every field of its type;
 * anything else is left out (a file edited by hand still predicts: the
 * record is only ever shown).
 */
export function readTrainingRecord(value: unknown): TrainingRecord | undefined {
  if (!isObject(value)) return undefined;
  const strings = ['trainedAt', 'wasmlp', 'data'].every((key) => typeof value[key] === 'string');
  const numbers = ['trainRows', 'validationRows', 'droppedRows', 'epochs', 'seconds'].every((key) => Number.isFinite(value[key]));
  const { options, metrics } = value;
  const metricsOk = isObject(metrics) && Object.values(metrics).every((v) => typeof v === 'number');
  return strings && numbers && isObject(options) && metricsOk ? (value as unknown as TrainingRecord) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
