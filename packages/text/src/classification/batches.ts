import { boolOption, checkInt, checkOptions, describe, fail } from '../errors.js';
import { shuffledBucketBatches } from '../batching/buckets.js';
import { PAD } from '../vocab.js';

/** One labelled, tokenized example. */
export interface ClassificationExample {
  /** Token ids (non-empty). */
  ids: Int32Array;
  /** Class index, an integer >= 0. */
  label: number;
}

/** Options of {@link classificationBatches}. */
export interface ClassificationBatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle which examples share a batch and the order of the batches. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle (its own generator: the global RNG is left alone). Default 0. */
  seed?: number;
  /** Keep only the first `maxLength` ids of a longer example. Default: no limit. */
  maxLength?: number;
  /** Id to pad with. Default `PAD` (0). */
  padId?: number;
}

/** A padded batch of classification examples, time-major, longest first. */
export interface ClassificationBatch {
  /** [T, B] time-major: ids[t·B + b] is step t of example b, `padId` past its end. */
  ids: Int32Array;
  /** [B]: valid steps of each example (non-increasing). */
  lengths: Int32Array;
  /** [B]: the label of each example. */
  labels: Int32Array;
  /** T, the longest length in the batch. */
  steps: number;
  /** B (the last batch may be smaller than `batchSize`). */
  batchSize: number;
  /** [B]: the position of each example in the input list. */
  indices: Int32Array;
}

/**
 * Length-bucketed, padded batches of labelled examples (`bucketBatches` under the hood, so batches
 * hold examples of similar length and little padding). With `shuffle`, ties in length are broken
 * by a seeded permutation and the batch order is shuffled, so each seed groups and orders the
 * examples differently (pass `seed + epoch` for a new order each epoch); without it, the order is
 * shortest batch first and fixed. Throws E_ARGUMENT naming the example on empty ids or a bad label.
 *
 * @example
 * for (const b of classificationBatches(examples, { batchSize: 32, seed: epoch })) {
 *   const loss = model.loss(tensor(b.ids, [b.steps, b.batchSize], { dtype: 'int32' }), b.lengths, b.labels);
 * }
 */
export function classificationBatches(examples: readonly ClassificationExample[], options: ClassificationBatchOptions): ClassificationBatch[] {
  const op = 'classificationBatches';
  if (!Array.isArray(examples)) throw fail('E_ARGUMENT', `${op}: examples must be an array, got ${describe(examples)}`);
  const o = checkOptions(op, options, ['batchSize', 'shuffle', 'seed', 'maxLength', 'padId']);
  const batchSize = checkInt(op, 'batchSize', o.batchSize, 1);
  const shuffle = boolOption(op, 'shuffle', o.shuffle, true);
  const seed = checkInt(op, 'seed', o.seed ?? 0, 0);
  const maxLength = o.maxLength === undefined ? Infinity : checkInt(op, 'maxLength', o.maxLength, 1);
  const padId = checkInt(op, 'padId', o.padId ?? PAD, 0, 2 ** 31 - 1);
  examples.forEach((e, i) => {
    if (e === null || typeof e !== 'object' || !(e.ids instanceof Int32Array) || e.ids.length === 0) {
      throw fail('E_ARGUMENT', `${op}: example ${i} must have non-empty ids (an Int32Array), got ${describe(e?.ids)}`);
    }
    if (!Number.isSafeInteger(e.label) || e.label < 0) throw fail('E_ARGUMENT', `${op}: example ${i} must have an integer label >= 0, got ${describe(e.label)}`);
  });
  const sequences = examples.map((e) => (e.ids.length > maxLength ? e.ids.subarray(0, maxLength) : e.ids));
  return shuffledBucketBatches(sequences, { batchSize, shuffle, seed, padId }).map((b) => ({
    ids: b.tokens, lengths: b.lengths, labels: Int32Array.from(b.indices, (i) => examples[i].label), steps: b.steps, batchSize: b.batchSize, indices: b.indices,
  }));
}
