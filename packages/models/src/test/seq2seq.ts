import type { Seq2SeqBatch } from '../seq2seq/batch.js';

// Building seq2seq batches in tests (text's parallelBatches is the real one; models' tests may not
// lean on its bucketing): pairs as given, padded time-major, BOS/EOS added to the target.

export const PAD = 0;
export const BOS = 2;
export const EOS = 3;

/** One padded batch of `pairs` in their order; `padding` fills the pad positions (default PAD). */
export function makeBatch(pairs: ReadonlyArray<readonly [ArrayLike<number>, ArrayLike<number>]>, options: { condition?: Float32Array; padding?: number } = {}): Seq2SeqBatch {
  const B = pairs.length;
  const fill = options.padding ?? PAD;
  const sourceLengths = Int32Array.from(pairs, ([s]) => s.length);
  const targetLengths = Int32Array.from(pairs, ([, t]) => t.length + 2);
  const S = Math.max(...sourceLengths);
  const T = Math.max(...targetLengths);
  const source = new Int32Array(S * B).fill(fill);
  const target = new Int32Array(T * B).fill(fill);
  pairs.forEach(([s, t], b) => {
    for (let i = 0; i < s.length; i++) source[i * B + b] = s[i];
    const full = [BOS, ...Array.from(t), EOS];
    full.forEach((id, i) => (target[i * B + b] = id));
  });
  const batch: Seq2SeqBatch = { source, sourceLengths, sourceSteps: S, target, targetLengths, targetSteps: T, batchSize: B, indices: Int32Array.from(pairs, (_, i) => i) };
  if (options.condition !== undefined) batch.condition = options.condition;
  return batch;
}

/** Random sequences of ids in [4, 4 + symbols) with lengths in [minLength, maxLength], from a simple LCG. */
export function randomSequences(count: number, symbols: number, minLength: number, maxLength: number, seed: number): Int32Array[] {
  let x = seed >>> 0;
  const next = (n: number): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return Math.floor((x / 2 ** 32) * n);
  };
  return Array.from({ length: count }, () => Int32Array.from({ length: minLength + next(maxLength - minLength + 1) }, () => 4 + next(symbols)));
}
