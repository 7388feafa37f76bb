import { Generator } from '@eddy/autograd';

/** A sentence pair of a benchmark task, as text. */
export interface TextPair {
  source: string;
  target: string;
}

/** Training and held-out pairs. */
export interface HeldOutSplit {
  train: TextPair[];
  test: TextPair[];
}

/**
 * Splits `pairs` into training and held-out test pairs with a seeded draw. Pairs with the same
 * `key` (default: the source) land on the same side, so a held-out item is never seen in training
 * in another form (a date in another format, a sentence with another translation).
 */
export function heldOutSplit(pairs: readonly TextPair[], options: { fraction: number; seed: number; key?: (p: TextPair) => string }): HeldOutSplit {
  const key = options.key ?? ((p: TextPair) => p.source);
  const keys = [...new Set(pairs.map(key))];
  const rng = new Generator(options.seed);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const held = new Set(keys.slice(0, Math.round(options.fraction * keys.length)));
  return { train: pairs.filter((p) => !held.has(key(p))), test: pairs.filter((p) => held.has(key(p))) };
}

/** Pairs as a `source<TAB>target` file (what `eddy seq2seq train` reads). */
export function toTsv(pairs: readonly TextPair[]): string {
  return pairs.map((p) => `${p.source}\t${p.target}\n`).join('');
}
