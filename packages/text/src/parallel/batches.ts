import { shuffledBucketBatches } from '../batching/buckets.js';
import { boolOption, checkInt, checkOptions, describe, fail } from '../errors.js';
import { BOS, EOS, PAD } from '../vocab.js';

/** One tokenized sentence pair: ids without BOS or EOS (the source non-empty). */
export interface ParallelExample {
  source: Int32Array;
  target: Int32Array;
}

/** Options of {@link parallelBatches}. */
export interface ParallelBatchOptions {
  /** Pairs per batch. */
  batchSize: number;
  /** Shuffle which pairs share a batch and the order of the batches. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle (its own generator: the global RNG is left alone). Default 0. */
  seed?: number;
  /** Keep only the first N source ids of a longer source. Default: no limit. */
  maxSourceLength?: number;
  /** Keep only the first N target ids (before BOS and EOS are added). Default: no limit. */
  maxTargetLength?: number;
  /** Id to pad with. Default `PAD` (0). */
  padId?: number;
  /** Id put before every target. Default `BOS` (2). */
  bosId?: number;
  /** Id put after every target. Default `EOS` (3). */
  eosId?: number;
}

/**
 * A padded batch of sentence pairs, time-major: the shape `Seq2Seq.loss` of @eddy/models takes
 * (its `Seq2SeqBatch` is this interface).
 */
export interface ParallelBatch {
  /** [S·B]: source[t·B + b] is step t of pair b's source, `padId` past its end. */
  source: Int32Array;
  /** [B]: each source's length (longest first here; the model needs no order). */
  sourceLengths: Int32Array;
  /** S, the longest source in the batch. */
  sourceSteps: number;
  /** [T·B]: BOS y1 … yn EOS, then `padId`. */
  target: Int32Array;
  /** [B]: n + 2 (BOS and EOS included). */
  targetLengths: Int32Array;
  /** T, the longest target (with BOS and EOS) in the batch. */
  targetSteps: number;
  /** B (the last batch may be smaller than `batchSize`). */
  batchSize: number;
  /** [B]: the position of each pair in the input list. */
  indices: Int32Array;
}

const MAX_ID = 2 ** 31 - 1;

/**
 * Length-bucketed, padded batches of sentence pairs for a seq2seq model: pairs are grouped by
 * source length (`shuffledBucketBatches`, so an encoder batch holds little padding), and each target
 * becomes BOS y1 … yn EOS, padded to the longest in its batch. With `shuffle`, a seeded permutation
 * decides both which pairs of equal source length share a batch and the batch order (pass
 * `seed + epoch` for a new order each epoch); without it, the order is shortest batch first and
 * fixed. Throws E_ARGUMENT naming the pair on an empty source or ids that are not an Int32Array.
 *
 * @example
 * for (const b of parallelBatches(pairs, { batchSize: 64, seed: epoch })) model.loss(b);
 */
export function parallelBatches(pairs: readonly ParallelExample[], options: ParallelBatchOptions): ParallelBatch[] {
  const op = 'parallelBatches';
  if (!Array.isArray(pairs)) throw fail('E_ARGUMENT', `${op}: pairs must be an array, got ${describe(pairs)}`);
  const o = checkOptions(op, options, ['batchSize', 'shuffle', 'seed', 'maxSourceLength', 'maxTargetLength', 'padId', 'bosId', 'eosId']);
  const batchSize = checkInt(op, 'batchSize', o.batchSize, 1);
  const shuffle = boolOption(op, 'shuffle', o.shuffle, true);
  const seed = checkInt(op, 'seed', o.seed ?? 0, 0);
  const maxSource = o.maxSourceLength === undefined ? Infinity : checkInt(op, 'maxSourceLength', o.maxSourceLength, 1);
  const maxTarget = o.maxTargetLength === undefined ? Infinity : checkInt(op, 'maxTargetLength', o.maxTargetLength, 0);
  const padId = checkInt(op, 'padId', o.padId ?? PAD, 0, MAX_ID);
  const bosId = checkInt(op, 'bosId', o.bosId ?? BOS, 0, MAX_ID);
  const eosId = checkInt(op, 'eosId', o.eosId ?? EOS, 0, MAX_ID);
  pairs.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw fail('E_ARGUMENT', `${op}: pair ${i} must be { source, target }, got ${describe(p)}`);
    if (!(p.source instanceof Int32Array) || p.source.length === 0) throw fail('E_ARGUMENT', `${op}: pair ${i} must have non-empty source ids (an Int32Array), got ${describe(p.source)}`);
    if (!(p.target instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: pair ${i} must have target ids (an Int32Array), got ${describe(p.target)}`);
  });
  const sources = pairs.map((p) => (p.source.length > maxSource ? p.source.subarray(0, maxSource) : p.source));
  return shuffledBucketBatches(sources, { batchSize, shuffle, seed, padId }).map((b) => {
    const indices = b.indices;
    const B = b.batchSize;
    const targets = Array.from(indices, (i) => (pairs[i].target.length > maxTarget ? pairs[i].target.subarray(0, maxTarget) : pairs[i].target));
    const targetLengths = Int32Array.from(targets, (y) => y.length + 2);
    const T = Math.max(...targetLengths);
    const target = new Int32Array(T * B).fill(padId);
    targets.forEach((y, k) => {
      target[k] = bosId;
      for (let t = 0; t < y.length; t++) target[(t + 1) * B + k] = y[t];
      target[(y.length + 1) * B + k] = eosId;
    });
    return {
      source: b.tokens, sourceLengths: b.lengths, sourceSteps: b.steps, target, targetLengths, targetSteps: T, batchSize: B, indices,
    };
  });
}
