import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError, describe } from '../errors.js';
import {
  ArgNames, checkAliasing, checkArgs, checkDim, checkDisjoint, checkFinite, checkImpl, checkMatrix, checkStride, checkVector, matrixBytes,
  type Impl, type KnownArgs,
} from '../validate.js';

type SoftmaxCrossEntropyKernel = (
  n: number, c: number, logits: number, ldl: number, targets: number, ignoreIndex: number,
  scale: number, losses: number, dlogits: number, ldd: number,
) => number;

export interface LossExports {
  f32_softmax_cross_entropy__wasmsimd: SoftmaxCrossEntropyKernel;
  f32_softmax_cross_entropy__scalar: SoftmaxCrossEntropyKernel;
}

/** PyTorch's default `ignore_index`. */
export const IGNORE_INDEX = -100;

export interface SoftmaxCrossEntropyArgs {
  /** Rows (N: batch × time steps). */
  n: number;
  /** Classes (C). */
  c: number;
  /** Logits z, n×c float32. */
  logits: number;
  /** Row stride of logits in elements; default c. */
  ldLogits?: number;
  /** Int32 class indices yₙ, n of them, each in [0, c) or equal to ignoreIndex. */
  targets: number;
  /** Rows with this target are skipped: zero loss, zero gradient, not counted. Default −100. */
  ignoreIndex?: number;
  /**
   * Factor on the gradient: 'mean' (default) is 1/count (0 when every row is ignored), as
   * PyTorch's reduction='mean'; 'sum' is 1; a number is used as given.
   */
  scale?: number | 'mean' | 'sum';
  /** Where to write the per-row losses ℓₙ (n float32; 0 for ignored rows). Optional. */
  losses?: number;
  /** Where to write ∂/∂z (n×c float32); may be `logits` itself (same stride). Omit for forward only. */
  dlogits?: number;
  /** Row stride of dlogits; default c. */
  ldDlogits?: number;
}

const SOFTMAX_CROSS_ENTROPY_ARGS = new ArgNames({
  n: true, c: true, logits: true, ldLogits: true, targets: true, ignoreIndex: true, scale: true, losses: true,
  dlogits: true, ldDlogits: true,
} satisfies KnownArgs<SoftmaxCrossEntropyArgs>);

export interface SoftmaxCrossEntropyResult {
  /** Rows not ignored. */
  count: number;
  /** Σₙ ℓₙ over the rows not ignored, summed in float64; the mean loss is total / count. */
  total: number;
  /** The gradient scale that was applied. */
  scale: number;
}

/**
 * Fused softmax cross-entropy, forward and backward in one pass over the logits:
 * ℓₙ = −log softmax(zₙ)_{yₙ} = mₙ − z_{n,yₙ} + log Σⱼ e^{z_{n,j} − mₙ} (mₙ the row max), and
 * ∂ℓ/∂z_{n,j} = (softmax(zₙ)ⱼ − [j = yₙ])·scale. Rows with yₙ = ignoreIndex contribute nothing.
 * Targets are checked here (the kernel trusts them): an index outside [0, c) that is not the
 * ignore index is an `E_ARGUMENT` error naming the row.
 */
export function softmaxCrossEntropy(core: Core, args: SoftmaxCrossEntropyArgs, impl: Impl = 'simd'): SoftmaxCrossEntropyResult {
  const op = 'softmaxCrossEntropy';
  checkArgs(op, args, SOFTMAX_CROSS_ENTROPY_ARGS);
  checkImpl(op, impl);
  const n = checkDim(op, 'n', args.n);
  const c = checkDim(op, 'c', args.c, 1);
  const ldl = checkStride(op, 'ldLogits', args.ldLogits ?? c, c);
  const logits = checkMatrix(core, op, 'logits', args.logits, n, c, ldl);
  const targets = checkVector(core, op, 'targets', args.targets, n);
  const ignoreIndex = args.ignoreIndex ?? IGNORE_INDEX;
  if (!Number.isInteger(ignoreIndex) || ignoreIndex < -0x80000000 || ignoreIndex > 0x7fffffff) {
    throw new EddyError('E_ARGUMENT', `${op}: ignoreIndex must be an int32, got ${describe(ignoreIndex)}`);
  }
  const losses = args.losses === undefined ? 0 : checkVector(core, op, 'losses', args.losses, n);
  const ldd = checkStride(op, 'ldDlogits', args.ldDlogits ?? c, c);
  const dlogits = args.dlogits === undefined ? 0 : checkMatrix(core, op, 'dlogits', args.dlogits, n, c, ldd);
  const logitBytes = matrixBytes(n, c, ldl);
  if (dlogits) {
    checkAliasing(op, 'dlogits', dlogits, matrixBytes(n, c, ldd), 'logits', logits, logitBytes, ldd === ldl);
    checkDisjoint(op, 'dlogits', dlogits, matrixBytes(n, c, ldd), 'targets', targets, 4 * n);
  }
  if (losses) {
    checkDisjoint(op, 'losses', losses, 4 * n, 'logits', logits, logitBytes);
    checkDisjoint(op, 'losses', losses, 4 * n, 'targets', targets, 4 * n);
    if (dlogits) checkDisjoint(op, 'losses', losses, 4 * n, 'dlogits', dlogits, matrixBytes(n, c, ldd));
  }
  const ys = core.arena.i32.subarray(targets >>> 2, (targets >>> 2) + n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= c) {
      throw new EddyError('E_ARGUMENT', `${op}: targets[${i}] must be a class index in [0, ${c}) or the ignore index ${ignoreIndex}, got ${y}`);
    }
    count++;
  }
  const requested = args.scale ?? 'mean';
  const scale = requested === 'mean' ? (count > 0 ? 1 / count : 0) : requested === 'sum' ? 1 : checkFinite(op, 'scale', requested);
  const x = core.exports;
  const rowLosses = losses || core.scratch(4 * n);
  const simd = impl === 'simd';
  const kernel = kernelFor(core, 'softmax_cross_entropy', impl);
  const counted = kernel(n, c, logits, ldl, targets, ignoreIndex, scale, rowLosses, dlogits, ldd);
  // The elementwise family's float64 reduction.
  const total = kernelFor(core, 'sum', impl)(n, rowLosses);
  return { count: counted, total, scale };
}
