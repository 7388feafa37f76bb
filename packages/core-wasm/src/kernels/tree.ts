import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError } from '../errors.js';
import { ArgNames, checkArgs, checkDim, checkDisjoint, checkImpl, checkMatrix, checkStride, checkVector, matrixBytes, type Impl, type KnownArgs } from '../validate.js';

// The fused Tree-LSTM memory-cell update of a level of nodes (assembly/tree/cell.ts): gate
// activations, cell and output forward, and every gradient of the pointwise part backward, one pass
// each. The gate pre-activations are one GEMM the caller does (X·Wᵀ); the bias is added here.
// Also the transpose with which the tree models stack their levels for one weight-gradient GEMM.

type ForwardKernel = (
  M: number, H: number, K: number, pre: number, bias: number, cc: number, kept: number, act: number, c: number, tc: number, h: number,
) => void;
type BackwardKernel = (
  M: number, H: number, K: number, act: number, tc: number, cc: number, dh: number, dc: number,
  dpre: number, db: number, dcc: number, dcTotal: number,
) => void;

type TransposeKernel = (rows: number, cols: number, src: number, ldSrc: number, dst: number, ldDst: number) => void;

export interface TreeExports {
  f32_transpose__wasmsimd: TransposeKernel;
  f32_transpose__scalar: TransposeKernel;
  f32_tree_lstm_cell_forward__wasmsimd: ForwardKernel;
  f32_tree_lstm_cell_forward__scalar: ForwardKernel;
  f32_tree_lstm_cell_backward__wasmsimd: BackwardKernel;
  f32_tree_lstm_cell_backward__scalar: BackwardKernel;
}

/** The sizes both directions share. */
interface CellSizes {
  /** Nodes (M). */
  m: number;
  /** Cell width (H). */
  h: number;
  /** Children whose cells are carried, each with its forget gate (K; 0 at leaves). */
  k: number;
  /** The children's cells [M, K·H] (child k's in block k); 0 when K = 0. */
  cc: number;
}

export interface TreeLstmCellForwardArgs extends CellSizes {
  /** Gate pre-activations without bias [M, G·H], G = K + 3 blocks i, f_1 … f_K, o, u. */
  pre: number;
  /** Bias [G·H]. */
  bias: number;
  /** Added to c [M, H], or 0 (none). */
  kept: number;
  /** Out: the activated gates [M, G·H] the backward reads; may be `pre` itself. */
  act: number;
  /** Out: c [M, H]. */
  c: number;
  /** Out: tanh(c) [M, H], for the backward. */
  tc: number;
  /** Out: h [M, H]. */
  hOut: number;
}

export interface TreeLstmCellBackwardArgs extends CellSizes {
  /** The forward's `act` [M, G·H] and `tc` [M, H]. */
  act: number;
  tc: number;
  /** Gradients of h and of c [M, H], each 0 when none. */
  dh: number;
  dc: number;
  /** Out (overwritten): the pre-activations' gradient [M, G·H]. */
  dpre: number;
  /** Accumulated (+=): the bias's gradient [G·H], the column sums of dpre; 0 = not wanted. */
  db: number;
  /** Out (overwritten): the children's cells' gradient [M, K·H]; 0 = not wanted. */
  dcc: number;
  /** Out (overwritten): the gradient of c [M, H] (also that of `kept`); 0 = not wanted. */
  dcTotal: number;
}

const SIZE_ARGS = { m: true, h: true, k: true, cc: true } as const;
const FORWARD_ARGS = new ArgNames({ ...SIZE_ARGS, pre: true, bias: true, kept: true, act: true, c: true, tc: true, hOut: true } satisfies KnownArgs<TreeLstmCellForwardArgs>);
const BACKWARD_ARGS = new ArgNames({
  ...SIZE_ARGS, act: true, tc: true, dh: true, dc: true, dpre: true, db: true, dcc: true, dcTotal: true,
} satisfies KnownArgs<TreeLstmCellBackwardArgs>);

type Region = [string, number, number];

/** A buffer of n floats (or 0 when `optional`); outputs must overlap nothing in `seen` and are added to it. */
function region(core: Core, op: string, name: string, ptr: number, n: number, seen: Region[], output: boolean, optional: boolean): number {
  if (optional && ptr === 0) return 0;
  const p = checkVector(core, op, name, ptr, n);
  if (output) for (const [other, q, bytes] of seen) checkDisjoint(op, name, p, 4 * n, other, q, bytes);
  seen.push([name, p, 4 * n]);
  return p;
}

function checkSizes(op: string, args: CellSizes): { M: number; H: number; K: number; G: number } {
  const M = checkDim(op, 'm', args.m), H = checkDim(op, 'h', args.h), K = checkDim(op, 'k', args.k);
  if (K === 0 && args.cc !== 0) throw new EddyError('E_ARGUMENT', `${op}: with k = 0 there are no children's cells: cc must be 0, got ${args.cc}`);
  return { M, H, K, G: K + 3 };
}

/**
 * Tree-LSTM cell forward of M nodes: i, f_k, o = σ(pre + b), u = tanh(pre + b),
 * c = i ⊙ u + Σ_k f_k ⊙ c_k (+ kept), h = o ⊙ tanh(c). Writes act, c, tc and hOut.
 */
export function treeLstmCellForward(core: Core, args: TreeLstmCellForwardArgs, impl: Impl = 'simd'): void {
  const op = 'treeLstmCellForward';
  checkArgs(op, args, FORWARD_ARGS);
  checkImpl(op, impl);
  const { M, H, K, G } = checkSizes(op, args);
  const seen: Region[] = [];
  region(core, op, 'bias', args.bias, G * H, seen, false, false);
  const cc = region(core, op, 'cc', args.cc, M * K * H, seen, false, K === 0);
  const kept = region(core, op, 'kept', args.kept, M * H, seen, false, true);
  // act may be pre itself (the pass reads a gate before writing it), so pre joins the inputs after act's check.
  const act = region(core, op, 'act', args.act, M * G * H, seen, true, false);
  const pre = checkVector(core, op, 'pre', args.pre, M * G * H);
  if (pre !== act) checkDisjoint(op, 'act', act, 4 * M * G * H, 'pre', pre, 4 * M * G * H);
  seen.push(['pre', pre, 4 * M * G * H]);
  const c = region(core, op, 'c', args.c, M * H, seen, true, false);
  const tc = region(core, op, 'tc', args.tc, M * H, seen, true, false);
  const h = region(core, op, 'hOut', args.hOut, M * H, seen, true, false);
  kernelFor(core, 'tree_lstm_cell_forward', impl)(M, H, K, pre, args.bias, cc, kept, act, c, tc, h);
}

/**
 * Backward of `treeLstmCellForward`: with d = dc + dh ⊙ o ⊙ (1 − tanh²c), dpre holds di = d ⊙ u ⊙ i(1 − i),
 * df_k = d ⊙ c_k ⊙ f_k(1 − f_k), do = dh ⊙ tanh c ⊙ o(1 − o), du = d ⊙ i ⊙ (1 − u²); dcc_k = d ⊙ f_k;
 * dcTotal = d; db += Σ_rows dpre.
 */
export function treeLstmCellBackward(core: Core, args: TreeLstmCellBackwardArgs, impl: Impl = 'simd'): void {
  const op = 'treeLstmCellBackward';
  checkArgs(op, args, BACKWARD_ARGS);
  checkImpl(op, impl);
  const { M, H, K, G } = checkSizes(op, args);
  const seen: Region[] = [];
  region(core, op, 'act', args.act, M * G * H, seen, false, false);
  region(core, op, 'tc', args.tc, M * H, seen, false, false);
  const cc = region(core, op, 'cc', args.cc, M * K * H, seen, false, K === 0);
  const dh = region(core, op, 'dh', args.dh, M * H, seen, false, true);
  const dc = region(core, op, 'dc', args.dc, M * H, seen, false, true);
  const dpre = region(core, op, 'dpre', args.dpre, M * G * H, seen, true, false);
  const db = region(core, op, 'db', args.db, G * H, seen, true, true);
  if (args.dcc !== 0 && K === 0) throw new EddyError('E_ARGUMENT', `${op}: with k = 0 there are no children's cells: dcc must be 0, got ${args.dcc}`);
  const dcc = region(core, op, 'dcc', args.dcc, M * K * H, seen, true, true);
  const dcTotal = region(core, op, 'dcTotal', args.dcTotal, M * H, seen, true, true);
  kernelFor(core, 'tree_lstm_cell_backward', impl)(M, H, K, args.act, args.tc, cc, dh, dc, dpre, db, dcc, dcTotal);
}

export interface TransposeArgs {
  /** Rows of the source (the destination's columns). */
  rows: number;
  /** Columns of the source (the destination's rows). */
  cols: number;
  /** The source, rows×cols float32, row stride `ldSrc` (default cols). */
  src: number;
  ldSrc?: number;
  /** Out: cols×rows float32, row stride `ldDst` (default rows); must not overlap the source. */
  dst: number;
  ldDst?: number;
}

const TRANSPOSE_ARGS = new ArgNames({ rows: true, cols: true, src: true, ldSrc: true, dst: true, ldDst: true } satisfies KnownArgs<TransposeArgs>);

/**
 * dst = srcᵀ: dst[j, i] = src[i, j] (an exact copy). With strides, a block of a larger matrix:
 * the tree models write each level's rows transposed into the columns of one stacked operand.
 */
export function transpose(core: Core, args: TransposeArgs, impl: Impl = 'simd'): void {
  const op = 'transpose';
  checkArgs(op, args, TRANSPOSE_ARGS);
  checkImpl(op, impl);
  const rows = checkDim(op, 'rows', args.rows), cols = checkDim(op, 'cols', args.cols);
  const ldSrc = checkStride(op, 'ldSrc', args.ldSrc ?? cols, cols), ldDst = checkStride(op, 'ldDst', args.ldDst ?? rows, rows);
  const src = checkMatrix(core, op, 'src', args.src, rows, cols, ldSrc);
  const dst = checkMatrix(core, op, 'dst', args.dst, cols, rows, ldDst);
  checkDisjoint(op, 'dst', dst, matrixBytes(cols, rows, ldDst), 'src', src, matrixBytes(rows, cols, ldSrc));
  if (rows === 0 || cols === 0) return;
  kernelFor(core, 'transpose', impl)(rows, cols, src, ldSrc, dst, ldDst);
}
