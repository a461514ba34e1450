/**
 * Inverted dropout, Keras's `Dropout(rate)` while training: each output of
 * a layer followed by a dropout entry is kept when a uniform draw from the
 * network's seeded generator is at least `rate`, and divided by 1 - rate;
 * the others become 0. The draws are made here, one per element in row-major
 * order, so the same seed drops the same elements on every backend and
 * thread count. Backward, the gradient of a kept element is divided by
 * 1 - rate and that of a dropped one is 0.
 */
import type { Backend } from './backend/backend.js';
import type { Dense } from './dense.js';
import type { Random } from './random.js';

/**
 * Drops some of `layer`'s outputs for `rows` rows, after its forward step:
 * the outputs as they were go to layer.undropped, which of them were kept to
 * layer.kept.
 */
export function dropForward(backend: Backend, random: Random, layer: Dense, rows: number): void {
  const rate = layer.dropout!;
  const keep = 1 - rate;
  const n = rows * layer.units;
  const a = backend.view(layer.output, n);
  backend.view(layer.undropped, n).set(a);
  if (layer.kept.length < n) layer.kept = new Uint8Array(n);
  const kept = layer.kept;
  for (let i = 0; i < n; i++) {
    const k = random.uniform() >= rate;
    kept[i] = k ? 1 : 0;
    a[i] = k ? a[i] / keep : 0;
  }
}

/** Makes the gradient at `layer`'s outputs (its delta) follow the last dropForward's mask. */
export function dropBackward(backend: Backend, layer: Dense, rows: number): void {
  const keep = 1 - layer.dropout!;
  const n = rows * layer.units;
  const d = backend.view(layer.delta, n);
  const kept = layer.kept;
  for (let i = 0; i < n; i++) d[i] = kept[i] ? d[i] / keep : 0;
}
