/**
 * Numbers as the page writes them. A module of its own, with no DOM, so the
 * browser test can check the formats without going through a run.
 */

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * A loss as 0.6931 or 1.35e-4, and never below 0: binaryCrossentropy's eps
 * gives a saturated network tiny negative losses (-9.82e-10), shown as 0.
 */
export function formatLoss(loss: number): string {
  if (loss <= 0) return '0';
  return loss < 1e-3 ? loss.toExponential(2) : loss.toFixed(4);
}

/**
 * Epochs per second: whole numbers from 100 up, three significant digits
 * below (46.3, 2.1, 0.52): a big network on the js backend trains well under
 * one epoch a second, which rounding would show as 0.
 */
export function formatRate(rate: number): string {
  return rate >= 100 ? formatCount(Math.round(rate)) : String(Number(rate.toPrecision(3)));
}
