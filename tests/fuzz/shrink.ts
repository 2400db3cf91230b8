// Greedy delta debugging: a failing case of a few hundred mangled characters becomes the
// few characters that still fail, which is what a bug report needs.

/** Removes lines, then characters, while `fails` keeps holding; bounded in attempts. */
export function shrink(text: string, fails: (candidate: string) => boolean, maxAttempts = 4_000): string {
  let attempts = 0;
  const pass = (units: string[], join: string): string[] => {
    for (let size = Math.max(1, units.length >> 1); size >= 1; size >>= 1) {
      for (let i = 0; i < units.length && attempts < maxAttempts; ) {
        const candidate = [...units.slice(0, i), ...units.slice(i + size)];
        attempts++;
        if (fails(candidate.join(join))) units = candidate;
        else i += size;
      }
      if (size === 1) break;
    }
    return units;
  };
  const lines = pass(text.split('\n'), '\n').join('\n');
  return pass([...lines], '').join('');
}
