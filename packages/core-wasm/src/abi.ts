import type { AttentionExports } from './kernels/attention.js';
import type { ElementwiseExports } from './kernels/elementwise.js';
import type { EmbeddingExports } from './kernels/embedding.js';
import type { GemmExports } from './kernels/gemm.js';
import type { GruExports } from './kernels/gru.js';
import type { LossExports } from './kernels/loss.js';
import type { LstmExports } from './kernels/lstm.js';
import type { OptimExports } from './kernels/optim.js';
import type { QuantExports } from './kernels/quant.js';
import type { RnnExports } from './kernels/rnn.js';
import type { TreeExports } from './kernels/tree.js';

/** Exports every build has besides its kernels. */
export interface BaseExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  has_relaxed_simd(): number;
}

/** The raw ABI: every family's exports (see README.md, "The ABI"). */
export type CoreExports = BaseExports &
  GemmExports &
  QuantExports &
  LstmExports &
  GruExports &
  RnnExports &
  ElementwiseExports &
  LossExports &
  EmbeddingExports &
  OptimExports &
  AttentionExports &
  TreeExports;
