// Greedy delta debugging: a failing case of a few hundred mangled characters becomes the
// few characters that still fail, which is what a bug report needs.

/** Removes runs of lines, then of characters, while `fails` keeps holding; bounded in attempts. */
export function shrink(text: string, fails: (candidate: string) => boolean, maxAttempts = 2_000): string {
  let attempts = 0;
  const pass = (start: string[], join: string): string[] => {
    let units = start;
    for (let size = Math.max(1, units.length >> 1); size >= 1; size >>= 1) {
      for (let i = 0; i < units.length && attempts < maxAttempts; ) {
        const candidate = [...units.slice(0, i), ...units.slice(i + size)];
        attempts++;
        if (fails(candidate.join(join))) units = candidate;
        else i += size;
      }
    }
    return units;
  };
  const lines = pass(text.split('\n'), '\n').join('\n');
  // Code points, not UTF-16 units, so an emoji is never split into the lone surrogates it was not.
  return pass([...lines], '').join('');
}
