import { LmBatcher } from '@eddy/text';
import { workloadCorpus } from '@eddy/models/workloads';

/**
 * The training windows of W1–W3, for Eddy and every JavaScript peer alike: text's `LmBatcher` over
 * `workloadCorpus(V)` (B contiguous streams, windows of T steps, dropLast). `x` and `y` hold the
 * current window's inputs and targets time-major (`[t·B + b]`); `next()` moves to the next window.
 * (scripts/pytorch_workloads.py walks the same windows.)
 */
export interface WorkloadWindows {
  x: Int32Array;
  y: Int32Array;
  next(): void;
}

export function workloadWindows(V: number, B: number, T: number): WorkloadWindows {
  const batcher = new LmBatcher(workloadCorpus(V), { batchSize: B, seqLen: T, dropLast: true });
  const x = new Int32Array(T * B);
  const y = new Int32Array(T * B);
  return {
    x,
    y,
    next() {
      const w = batcher.next();
      x.set(w.inputs);
      y.set(w.targets);
    },
  };
}
