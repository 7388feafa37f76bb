import { describe, fail } from '../errors.js';
import { leafWords, type Tree } from './tree.js';
import type { WordIds } from './schedule.js';

// Training the unknown word. A vocabulary of every training word leaves `<unk>` untrained: no
// training leaf is unknown, so at test time every unseen word (6 % of SST's test tokens, in 62 % of
// its test sentences) reads the same random vector. Unknown-word replacement (Kiperwasser & Goldberg
// 2016, "word dropout") reads a training word seen c times as `<unk>` with probability
//
//   p(c) = α / (α + c)
//
// so rare words — the ones most like unseen words — teach `<unk>` (α = 0.25: a word seen once is
// replaced one time in five, one seen 100 times one in 400), and every word keeps its own vector.

/** Draws in [0, 1): a `Generator` from @eddy/autograd is one. */
export interface UniformSource {
  nextDouble(): number;
}

/** How many times each word occurs at the leaves of `trees`. */
export function leafWordCounts(trees: readonly Tree[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of trees) for (const w of leafWords(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/**
 * `words` with unknown-word replacement: each lookup of a word counted `counts.get(word)` times (0 if
 * absent) returns `unkId` with probability α / (α + count), else `words.id(word)`. One draw from `rng`
 * per lookup, in lookup order, so a seeded `rng` makes a batch's replacements reproducible. α = 0
 * returns `words` itself.
 */
export function unkReplacement(words: WordIds, counts: ReadonlyMap<string, number>, alpha: number, unkId: number, rng: UniformSource): WordIds {
  const op = 'unkReplacement';
  if (typeof words?.id !== 'function') throw fail('E_ARGUMENT', `${op}: words must map a word to its id (e.g. a Vocab), got ${describe(words)}`);
  if (!(counts instanceof Map)) throw fail('E_ARGUMENT', `${op}: counts must be a Map from word to count, got ${describe(counts)}`);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) throw fail('E_ARGUMENT', `${op}: alpha must be a finite number ≥ 0, got ${describe(alpha)}`);
  if (!Number.isInteger(unkId) || unkId < 0) throw fail('E_ARGUMENT', `${op}: unkId must be an integer ≥ 0, got ${describe(unkId)}`);
  if (typeof rng?.nextDouble !== 'function') throw fail('E_ARGUMENT', `${op}: rng must have nextDouble() (e.g. a Generator), got ${describe(rng)}`);
  if (alpha === 0) return words;
  return {
    id(word: string): number {
      const c = counts.get(word) ?? 0;
      return rng.nextDouble() < alpha / (alpha + c) ? unkId : words.id(word);
    },
  };
}
