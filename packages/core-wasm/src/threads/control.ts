// The control block a pool and its workers share: a small SharedArrayBuffer (not the core's memory,
// which the arena owns byte for byte). The main thread writes each worker's call into its slot,
// bumps the generation and wakes them; each worker runs its slot and counts `pending` down. The
// worker body cannot import (it runs from a string), so it receives this layout in its first message.

/** Int32 indices of the header. */
export const GENERATION = 0;
/** Workers that have not finished the current generation's call. */
export const PENDING = 1;
/** Set by a worker whose call threw (a trap in the wasm core); read and cleared by the main thread. */
export const FAILED = 2;
/** Set (with a new generation) to make the workers return from their loop. */
export const STOP = 3;
/** Iterations a waiting thread polls before it sleeps in Atomics.wait (see bench/src/barrier.ts). */
export const SPIN = 4;
/** First worker's function index (-1: nothing to run this generation); worker w's is at FUNCTION + w. */
export const FUNCTION = 8;
/** Arguments per call: every core export takes at most this many numbers. */
export const MAX_ARGS = 16;

/** Where everything is in a control block for `workers` workers. */
export interface ControlLayout {
  /** Byte offset of worker 0's arguments (float64; worker w's start MAX_ARGS·w values later). */
  readonly argsOffset: number;
  readonly bytes: number;
}

export function controlLayout(workers: number): ControlLayout {
  const argsOffset = Math.ceil(((FUNCTION + workers) * 4) / 8) * 8;
  return { argsOffset, bytes: argsOffset + workers * MAX_ARGS * 8 };
}
