/**
 * "Did you mean" for names a user typed: layers, arguments, references, columns, files.
 *
 * A case-insensitive exact match wins outright, because a wrong case is the likeliest
 * slip and any other candidate would be a worse guess. Otherwise the candidate with the
 * smallest edit distance (adjacent swaps counting as one edit) is chosen, as long as
 * that distance is at most a third of the typed name's length (at least 1): beyond that
 * the suggestion is more often noise than help.
 * Ties go to the earlier candidate so callers control preference by order.
 */
/** Names longer than this get no fuzzy suggestion (a case-insensitive exact match still wins). */
const MAX_FUZZY_LENGTH = 200;

export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const lowered = candidates.map((c) => c.toLowerCase());
  const exact = lowered.indexOf(wanted);
  if (exact >= 0) return candidates[exact];

  // No one mistypes a name this long: the distance would cost its length squared.
  if (name.length > MAX_FUZZY_LENGTH) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (let i = 0; i < candidates.length; i++) {
    const d = boundedDistance(wanted, lowered[i], bestDistance - 1);
    if (d < bestDistance) {
      best = candidates[i];
      bestDistance = d;
    }
  }
  return best;
}

/** Beyond this distance a name is not "near" the typed one, however few candidates there are. */
const MAX_NEAR_DISTANCE = 8;

/**
 * Up to `count` candidates nearest to `name` by edit distance (case-insensitive), nearest
 * first, ties in candidate order; only those within a third of the name's length (at least
 * 2, at most 8 edits), so a list of unrelated names stays empty.
 */
export function nearestNames(name: string, candidates: readonly string[], count: number): string[] {
  if (name.length > MAX_FUZZY_LENGTH) return [];
  const wanted = name.toLowerCase();
  const bound = Math.min(MAX_NEAR_DISTANCE, Math.max(2, Math.floor(name.length / 3)));
  const scored: { readonly name: string; readonly distance: number; readonly at: number }[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const distance = boundedDistance(wanted, candidates[i].toLowerCase(), bound);
    if (distance <= bound) scored.push({ name: candidates[i], distance, at: i });
  }
  scored.sort((a, b) => a.distance - b.distance || a.at - b.at);
  return scored.slice(0, count).map((s) => s.name);
}

/**
 * Edit distance counting a swap of adjacent letters as one edit (optimal string
 * alignment), since "lable" for "label" is the commonest typo and plain Levenshtein would
 * charge it two. Returns `bound + 1` as soon as the distance is known to exceed `bound`:
 * candidate lists can be whole directories, so hopeless ones are cut short.
 */
function boundedDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let beforePrevious = new Array<number>(b.length + 1);
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const ai = a.charCodeAt(i - 1);
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(previous[j - 1] + (ai === bj ? 0 : 1), previous[j] + 1, current[j - 1] + 1);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, beforePrevious[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > bound) return bound + 1;
    [beforePrevious, previous, current] = [previous, current, beforePrevious];
  }
  return Math.min(previous[b.length], bound + 1);
}
