import { describe, fail } from '../errors.js';

/**
 * One truncated-BPTT window as a language model reads it: text's `LmWindow` has this shape (models
 * does not import text; any object with these fields will do). `inputs[t·B + b]` is the id at step t
 * of stream b, `targets[t·B + b]` the id after it; steps [0, detachAt) are warm-up without gradients.
 */
export interface LmWindowLike {
  inputs: Int32Array;
  targets: Int32Array;
  /** T. */
  steps: number;
  /** B. */
  batchSize: number;
  /** d ∈ [0, T): warm-up steps; 0 when absent. */
  detachAt?: number;
}

/** Checks a window against a vocabulary of V ids; returns T, B and d. */
export function checkWindow(op: string, w: LmWindowLike, V: number): { steps: number; batchSize: number; detachAt: number } {
  if (w === null || typeof w !== 'object') throw fail('E_ARGUMENT', `${op}: expected a window { inputs, targets, steps, batchSize }, got ${describe(w)}`);
  const { steps: T, batchSize: B } = w;
  const d = w.detachAt ?? 0;
  if (!Number.isSafeInteger(T) || T < 1 || !Number.isSafeInteger(B) || B < 1) {
    throw fail('E_ARGUMENT', `${op}: window steps and batchSize must be positive integers, got ${describe(T)} and ${describe(B)}`);
  }
  if (!Number.isSafeInteger(d) || d < 0 || d >= T) throw fail('E_ARGUMENT', `${op}: window detachAt must be an integer in [0, ${T}), got ${describe(d)}`);
  for (const name of ['inputs', 'targets'] as const) {
    const ids = w[name];
    if (!(ids instanceof Int32Array) || ids.length < T * B) {
      throw fail('E_SHAPE', `${op}: window ${name} must be an Int32Array of at least steps·batchSize = ${T * B} ids, got ${describe(ids)}`);
    }
    for (let i = 0; i < T * B; i++) {
      if (ids[i] < 0 || ids[i] >= V) throw fail('E_ARGUMENT', `${op}: window ${name}[${i}] = ${ids[i]} is outside the vocabulary [0, ${V})`);
    }
  }
  return { steps: T, batchSize: B, detachAt: d };
}
