/**
 * A curve of any length in bounded memory: consecutive epochs are grouped
 * into at most CAPACITY buckets, each keeping its lowest and highest point
 * (min/max per bucket, as a chart keeps per pixel column, so no spike is
 * lost). When the buckets run out, neighbours merge in pairs and each covers
 * twice the epochs: a run of a million epochs costs a chart what one of two
 * thousand does, per frame and in memory.
 */

export interface Point {
  x: number;
  y: number;
}

/** Buckets kept: about two per pixel column of the widest chart on a laptop. */
export const CAPACITY = 1024;

interface Bucket {
  min: Point;
  max: Point;
}

export class BoundedSeries {
  private buckets: Bucket[] = [];
  /** Epochs per bucket, a power of two. */
  private width = 1;
  private drawn: Point[] | undefined;
  /** Points pushed so far. */
  count = 0;

  constructor(private readonly capacity = CAPACITY) {}

  /** Adds the point for epoch `x` (epochs arrive in order, counted from 1). */
  push(x: number, y: number): void {
    this.count++;
    this.drawn = undefined;
    let index = Math.floor((x - 1) / this.width);
    while (index >= this.capacity) {
      this.halve();
      index = Math.floor((x - 1) / this.width);
    }
    const bucket = this.buckets[index];
    if (!bucket) {
      const point = { x, y };
      this.buckets[index] = { min: point, max: point };
      return;
    }
    if (y < bucket.min.y) bucket.min = { x, y };
    if (y > bucket.max.y) bucket.max = { x, y };
  }

  /** The points to draw, in epoch order: at most two per bucket. Cached until the next push. */
  points(): Point[] {
    if (this.drawn) return this.drawn;
    const points: Point[] = [];
    for (const bucket of this.buckets) {
      if (!bucket) continue;
      const { min, max } = bucket;
      if (min === max) points.push(min);
      else if (min.x < max.x) points.push(min, max);
      else points.push(max, min);
    }
    this.drawn = points;
    return points;
  }

  clear(): void {
    this.buckets = [];
    this.width = 1;
    this.count = 0;
    this.drawn = undefined;
  }

  private halve(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const [a, b] = [this.buckets[i], this.buckets[i + 1]];
      if (!a || !b) {
        const only = a ?? b;
        if (only) merged[i / 2] = only;
        continue;
      }
      merged[i / 2] = { min: a.min.y <= b.min.y ? a.min : b.min, max: a.max.y >= b.max.y ? a.max : b.max };
    }
    this.buckets = merged;
    this.width *= 2;
  }
}
