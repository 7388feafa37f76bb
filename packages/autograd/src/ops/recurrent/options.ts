import { checkOptions as checkKeys, fail } from '../../backend.js';
import type { Tensor } from '../../tensor.js';
import type { RecurrentWeights } from './check.js';

// The option types the three families share.

export type { RecurrentWeights } from './check.js';

/** Options of a whole-sequence call: the weights plus the initial state, lengths and direction. */
export interface SequenceOptions extends RecurrentWeights {
  /** Initial state [B, H]; absent = zeros. */
  h0?: Tensor | null;
  /**
   * int32 [B], each in [0, T]: PyTorch's packed sequences. For element b, steps t ≥ lengths[b] are
   * padding: they write zero output rows and keep the state, so `h` is the state after its last
   * valid step; with `reverse` element b starts at t = lengths[b] − 1. Absent = all T.
   * NOTE: the rows of x at padding steps must still be finite: ∂W_ih sums 0 · xₜ over them, and
   * 0 · NaN = NaN. Pad with zeros.
   */
  lengths?: Tensor | null;
  /** Process t = T−1 … 0 (the backward direction of a bidirectional layer). Default false. */
  reverse?: boolean;
}

/** The keys of the weights, which cells take alone and sequences with their own options. */
export const WEIGHT_KEYS = ['wIh', 'wHh', 'bIh', 'bHh'] as const;

/** The keys every whole-sequence call takes: the weights, h0, lengths and reverse. */
export const SEQUENCE_KEYS = [...WEIGHT_KEYS, 'h0', 'lengths', 'reverse'] as const;

/**
 * `options` must be an object (the weights at least) with no key but `allowed`: a misspelt
 * `lenghts` or `revrese` would otherwise run the whole sequence forwards, unpadded, in silence.
 */
export function checkOptions<T>(op: string, options: T, allowed: readonly string[]): T {
  if (options === null || typeof options !== 'object') {
    throw fail('E_ARGUMENT', `${op}: expected an options object with the weights { wIh, wHh, bIh?, bHh? }, got ${options === null ? 'null' : typeof options}`);
  }
  checkKeys(op, options, allowed);
  return options;
}
