import { checkNumber, describe, fail } from '../errors.js';

/** The two parts of a corpus split by {@link splitCorpus}. */
export interface CorpusSplit {
  /** The first ⌈(1 − f)·N⌋ ids (a view on the input, not a copy). */
  train: Int32Array;
  /** The last round(f·N) ids (a view; empty when f = 0). */
  val: Int32Array;
}

/**
 * Splits a corpus into a training part and a validation part at one cut: validation is the tail
 * of round(valFraction · N) ids, training the rest (char-rnn's and Zaremba's layout: each part is
 * contiguous text, and each is batched into its own B streams, so no stream crosses the cut and
 * no validation text is ever seen in training).
 *
 * Arguments: `ids` — the corpus, length N; `valFraction` — f in [0, 1).
 * Throws `E_ARGUMENT` when f is out of range, or when f > 0 and either part would hold fewer than
 * 2 ids (one input and its target).
 *
 * @example
 * const { train, val } = splitCorpus(tokenizer.encode(text), 0.05);
 */
export function splitCorpus(ids: Int32Array, valFraction: number): CorpusSplit {
  if (!(ids instanceof Int32Array)) throw fail('E_ARGUMENT', `splitCorpus: ids must be an Int32Array, got ${describe(ids)}`);
  checkNumber('splitCorpus', 'valFraction', valFraction, 0, 1);
  if (valFraction === 1) throw fail('E_ARGUMENT', 'splitCorpus: valFraction must be below 1 (training needs some text), got 1');
  const n = ids.length;
  const nVal = Math.round(valFraction * n);
  if (valFraction > 0 && (nVal < 2 || n - nVal < 2)) {
    throw fail('E_ARGUMENT', `splitCorpus: a corpus of ${n} tokens is too small to split with valFraction ${valFraction}; each part needs at least 2 tokens`);
  }
  return { train: ids.subarray(0, n - nVal), val: ids.subarray(n - nVal) };
}
