// The one "did you mean" of every Eddy package: kernel argument names here, option keys in autograd,
// models and text, flags and commands in the CLI. Exposed to them through `@eddy/core-wasm/internal`.

/**
 * The known name a misspelling most likely meant, or undefined when none is close enough or two
 * are equally close (a guess between `W1` and `W2` for `W5` would mislead).
 *
 * Distances are case-insensitive optimal string alignment (an adjacent swap is one edit). The
 * nearest name counts as meant when it is at most 1 edit away for keys of up to 4 letters, at most
 * max(2, ⌊length/3⌋) edits for longer ones, and in every case fewer edits than the key has letters
 * (`m` does not suggest `n`). When no name is that near, the one name that the key begins (or that
 * begins the key), both of 3 letters or more, is meant (`--hid` for `--hidden`).
 */
export function closestName(key: string, known: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  const limit = Math.min(lower.length <= 4 ? 1 : Math.max(2, Math.floor(lower.length / 3)), lower.length - 1);
  let best: string | undefined;
  let bestDistance = Infinity;
  let tied = false;
  let prefixed: string | undefined;
  let prefixes = 0;
  for (const name of known) {
    const other = name.toLowerCase();
    // The distance is at least the difference in length: beyond the limit, skip the O(n·m) table
    // (a 128 KB command-line word against every flag took a second).
    const d = Math.abs(other.length - lower.length) > limit ? Infinity : editDistance(lower, other);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
      tied = false;
    } else if (d === bestDistance && name !== best) {
      tied = true;
    }
    if (Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other))) {
      prefixed = name;
      prefixes++;
    }
  }
  if (bestDistance <= limit) return tied ? undefined : best;
  return prefixes === 1 ? prefixed : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  // Three rolling rows (the transposition looks two rows back).
  let older: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, older[j - 2] + 1);
      row.push(d);
    }
    older = prev;
    prev = row;
  }
  return prev[b.length];
}
