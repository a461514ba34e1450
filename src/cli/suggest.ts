/**
 * The column names closest to a misspelt one, by edit distance (insertions,
 * deletions and substitutions, case ignored), for "did you mean" in an
 * error: those at the smallest distance, in header order. Only close names
 * are offered: at most a third of the name's length in edits, so `colum_1`
 * finds `column_1` and `b` finds nothing among `a` and `c`. A header can hold 100,000 names; a name whose length
 * alone puts it out of reach is skipped, and a row of the table that is
 * already beyond reach ends the comparison.
 */

/** At most this many names suggested (equally close ones). */
const SUGGESTED = 3;

/** Names longer than this are not compared (and none is suggested for one): no one misspells a paragraph. */
const LONGEST = 200;

export function closestNames(name: string, candidates: readonly string[]): string[] {
  const reach = Math.floor((name.length + 1) / 3);
  if (reach === 0 || name.length > LONGEST) return [];
  const target = name.toLowerCase();
  const found: { name: string; distance: number; order: number }[] = [];
  candidates.forEach((candidate, order) => {
    if (candidate.length > LONGEST || Math.abs(candidate.length - name.length) > reach) return;
    const distance = editDistance(target, candidate.toLowerCase(), reach);
    if (distance <= reach) found.push({ name: candidate, distance, order });
  });
  // Only the closest: `column_1` for `colum_1`, not `column_0` two edits away as well.
  const closest = Math.min(...found.map((f) => f.distance));
  return found
    .filter((f) => f.distance === closest)
    .slice(0, SUGGESTED)
    .map((f) => f.name);
}

/** Levenshtein distance between a and b, or reach + 1 once it is certain to exceed reach. */
export function editDistance(a: string, b: string, reach = Number.POSITIVE_INFINITY): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
      if (current[j] < best) best = current[j];
    }
    if (best > reach) return reach + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
