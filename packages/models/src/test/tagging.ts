import type { Generator } from '@eddy/autograd';

/**
 * A batch of the generated tagging task of the tagger's tests and README example: ids 2 … 9 (0 is
 * padding), and the tag of a step is the class (id mod 3) of the token before it, 3 at the first
 * step — a task that needs memory. Tags are −1 on padding; lengths are 3 … 10, longest first.
 */
export function taggingBatch(rng: Generator, B: number): { ids: Int32Array; tags: Int32Array; lengths: Int32Array; T: number; B: number } {
  const lengths = Int32Array.from({ length: B }, () => 3 + rng.nextInt(8)).sort().reverse();
  const T = lengths[0];
  const ids = new Int32Array(T * B);
  const tags = new Int32Array(T * B).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) {
      ids[t * B + b] = 2 + rng.nextInt(8);
      tags[t * B + b] = t === 0 ? 3 : ids[(t - 1) * B + b] % 3;
    }
  }
  return { ids, tags, lengths, T, B };
}
