import type { GemmExports } from './kernels/gemm.js';
import type { LstmExports } from './kernels/lstm.js';
import type { RnnExports } from './kernels/rnn.js';

/** Exports every build has besides its kernels. */
export interface BaseExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  has_relaxed_simd(): number;
}

/** The raw ABI: every family's exports (see README.md, "The ABI"). */
export type CoreExports = BaseExports & GemmExports & LstmExports & RnnExports;
