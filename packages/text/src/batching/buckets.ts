import { Generator } from '@eddy/autograd';
import { checkInt, checkOptions, describe, fail } from '../errors.js';
import { PAD } from '../vocab.js';

/** A batch of variable-length sequences padded to the longest, time-major. */
export interface PaddedBatch {
  /** Ids, shape [T, B] time-major: tokens[t·B + b] is step t of sequence b, `padId` past its end. */
  tokens: Int32Array;
  /** Shape [T, B]: 1 where tokens holds a real id, 0 on padding (multiply per-step losses by it). */
  mask: Float32Array;
  /** Shape [B]: each sequence's length, longest first (what packed RNN input wants). */
  lengths: Int32Array;
  /** Shape [B]: position of each sequence in the input list. */
  indices: Int32Array;
  /** T = lengths[0]. */
  steps: number;
  /** B (the last batch may be smaller than `batchSize`). */
  batchSize: number;
}

/** Options of {@link bucketBatches}. */
export interface BucketOptions {
  /** Sequences per batch. */
  batchSize: number;
  /** Shuffle the order of the batches with this generator (default: shortest batch first). */
  rng?: Generator;
  /** Id to pad with (default `PAD`, 0). */
  padId?: number;
}

/**
 * Length-bucketed batches for sentence-level tasks (classification, seq2seq): sequences are sorted
 * by length (ties by position), cut into consecutive groups of `batchSize`, so each batch holds
 * sequences of similar length and little padding; each batch is padded to its longest sequence
 * with `padId` and ordered longest first. With `rng` the batch order is shuffled (Fisher–Yates),
 * deterministically for a given generator state.
 *
 * Throws `E_ARGUMENT` on an empty sequence (nothing to run an RNN over) or a bad option.
 *
 * @example
 * const batches = bucketBatches(sentences.map((s) => tok.encode(s)), { batchSize: 32, rng });
 * for (const b of batches) tensor(b.tokens, [b.steps, b.batchSize], { dtype: 'int32' });
 */
export function bucketBatches(sequences: readonly ArrayLike<number>[], options: BucketOptions): PaddedBatch[] {
  const where = 'bucketBatches';
  if (!Array.isArray(sequences)) throw fail('E_ARGUMENT', `${where}: sequences must be an array, got ${describe(sequences)}`);
  checkOptions(where, options, ['batchSize', 'rng', 'padId']);
  const batchSize = checkInt(where, 'batchSize', options?.batchSize, 1);
  const padId = checkInt(where, 'padId', options.padId ?? PAD, 0, 2 ** 31 - 1);
  sequences.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || !(s.length > 0)) throw fail('E_ARGUMENT', `${where}: sequence ${i} must be a non-empty array of ids, got ${describe(s)}`);
  });
  const order = sequences.map((_, i) => i).sort((a, b) => sequences[a].length - sequences[b].length || a - b);
  const batches: PaddedBatch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const members = order.slice(start, start + batchSize).reverse(); // longest first
    const B = members.length;
    const T = sequences[members[0]].length;
    const tokens = new Int32Array(T * B).fill(padId);
    const mask = new Float32Array(T * B);
    const lengths = new Int32Array(B);
    members.forEach((index, b) => {
      const s = sequences[index];
      lengths[b] = s.length;
      for (let t = 0; t < s.length; t++) {
        tokens[t * B + b] = s[t];
        mask[t * B + b] = 1;
      }
    });
    batches.push({ tokens, mask, lengths, indices: Int32Array.from(members), steps: T, batchSize: B });
  }
  if (options.rng !== undefined) {
    for (let i = batches.length - 1; i > 0; i--) {
      const j = options.rng.nextInt(i + 1);
      [batches[i], batches[j]] = [batches[j], batches[i]];
    }
  }
  return batches;
}

/**
 * `bucketBatches` for training: with `shuffle`, a permutation drawn from `new Generator(seed)`
 * decides which sequences of equal length share a batch (bucketBatches breaks ties by position)
 * and the batch order, so each seed (`seed + epoch`) groups and orders them differently; without
 * it, shortest batch first and fixed. `indices` are positions in `sequences`.
 */
export function shuffledBucketBatches(
  sequences: readonly ArrayLike<number>[],
  options: { batchSize: number; shuffle: boolean; seed: number; padId: number },
): PaddedBatch[] {
  const rng = options.shuffle ? new Generator(options.seed) : undefined;
  const order = sequences.map((_, i) => i);
  if (rng !== undefined) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  return bucketBatches(order.map((i) => sequences[i]), { batchSize: options.batchSize, rng, padId: options.padId })
    .map((b) => ({ ...b, indices: Int32Array.from(b.indices, (k) => order[k]) }));
}
