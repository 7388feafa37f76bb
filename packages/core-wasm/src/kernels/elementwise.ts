import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError, describe } from '../errors.js';
import {
  ArgNames, checkAliasing, checkArgs, checkDim, checkFinite, checkFlag, checkImpl, checkMatrix, checkStride, checkVector, matrixBytes,
  type Impl, type KnownArgs,
} from '../validate.js';

// Elementwise maps, reductions and row-wise softmax over float32 data in the core's memory.
// Every function validates its arguments, then calls the SIMD kernel or its scalar twin (the
// twins give bit-identical results). Pointers are byte offsets from the arena.

type BinaryKernel = (n: number, a: number, b: number, out: number) => void;
type ScaledKernel = (n: number, alpha: number, x: number, out: number) => void;
type UnaryKernel = (n: number, x: number, out: number) => void;
type GradKernel = (n: number, v: number, dy: number, dx: number, accumulate: number) => void;
type ReduceKernel = (n: number, x: number) => number;
type RowsKernel = (rows: number, cols: number, x: number, ldx: number, out: number, ldo: number) => void;
type RowsGradKernel = (rows: number, cols: number, y: number, ldy: number, dy: number, lddy: number, dx: number, lddx: number) => void;

export interface ElementwiseExports {
  f32_add__wasmsimd: BinaryKernel;
  f32_add__scalar: BinaryKernel;
  f32_sub__wasmsimd: BinaryKernel;
  f32_sub__scalar: BinaryKernel;
  f32_mul__wasmsimd: BinaryKernel;
  f32_mul__scalar: BinaryKernel;
  f32_scale__wasmsimd: ScaledKernel;
  f32_scale__scalar: ScaledKernel;
  f32_axpy__wasmsimd: ScaledKernel;
  f32_axpy__scalar: ScaledKernel;
  f32_exp__wasmsimd: UnaryKernel;
  f32_exp__scalar: UnaryKernel;
  f32_log__wasmsimd: UnaryKernel;
  f32_log__scalar: UnaryKernel;
  f32_sigmoid__wasmsimd: UnaryKernel;
  f32_sigmoid__scalar: UnaryKernel;
  f32_tanh__wasmsimd: UnaryKernel;
  f32_tanh__scalar: UnaryKernel;
  f32_relu__wasmsimd: UnaryKernel;
  f32_relu__scalar: UnaryKernel;
  f32_sigmoid_backward__wasmsimd: GradKernel;
  f32_sigmoid_backward__scalar: GradKernel;
  f32_tanh_backward__wasmsimd: GradKernel;
  f32_tanh_backward__scalar: GradKernel;
  f32_relu_backward__wasmsimd: GradKernel;
  f32_relu_backward__scalar: GradKernel;
  f32_sum__wasmsimd: ReduceKernel;
  f32_sum__scalar: ReduceKernel;
  f32_sumsq__wasmsimd: ReduceKernel;
  f32_sumsq__scalar: ReduceKernel;
  f32_softmax__wasmsimd: RowsKernel;
  f32_softmax__scalar: RowsKernel;
  f32_log_softmax__wasmsimd: RowsKernel;
  f32_log_softmax__scalar: RowsKernel;
  f32_softmax_backward__wasmsimd: RowsGradKernel;
  f32_softmax_backward__scalar: RowsGradKernel;
  f32_log_softmax_backward__wasmsimd: RowsGradKernel;
  f32_log_softmax_backward__scalar: RowsGradKernel;
}

/** Kernel names of this family: `add` for `f32_add__wasmsimd` / `f32_add__scalar`. */
type Kernels = {
  [K in keyof ElementwiseExports as K extends `f32_${infer N}__wasmsimd` ? N : never]: ElementwiseExports[K];
};

/** The SIMD kernel `f32_<name>__wasmsimd` or its scalar twin `f32_<name>__scalar`, as dispatch.ts says. */
function twin<N extends keyof Kernels>(core: Core, name: N, impl: Impl): Kernels[N] {
  return kernelFor(core, name, impl) as Kernels[N];
}


export interface BinaryArgs {
  /** Elements in each vector. */
  n: number;
  a: number;
  b: number;
  /** May be `a` or `b` itself, else must not overlap them. */
  out: number;
}

const BINARY_ARGS = new ArgNames({ n: true, a: true, b: true, out: true } satisfies KnownArgs<BinaryArgs>);

function binary(core: Core, name: 'add' | 'sub' | 'mul', args: BinaryArgs, impl: Impl): void {
  checkArgs(name, args, BINARY_ARGS);
  checkImpl(name, impl);
  const n = checkDim(name, 'n', args.n);
  const a = checkVector(core, name, 'a', args.a, n);
  const b = checkVector(core, name, 'b', args.b, n);
  const out = checkVector(core, name, 'out', args.out, n);
  checkAliasing(name, 'out', out, 4 * n, 'a', a, 4 * n);
  checkAliasing(name, 'out', out, 4 * n, 'b', b, 4 * n);
  twin(core, name, impl)(n, a, b, out);
  core.pool?.check(); // long vectors split over a threaded core's threads
}

/** outᵢ = aᵢ + bᵢ. */
export function add(core: Core, args: BinaryArgs, impl: Impl = 'simd'): void {
  binary(core, 'add', args, impl);
}

/** outᵢ = aᵢ − bᵢ. */
export function sub(core: Core, args: BinaryArgs, impl: Impl = 'simd'): void {
  binary(core, 'sub', args, impl);
}

/** outᵢ = aᵢ·bᵢ (Hadamard product). */
export function mul(core: Core, args: BinaryArgs, impl: Impl = 'simd'): void {
  binary(core, 'mul', args, impl);
}

export interface ScaleArgs {
  n: number;
  alpha: number;
  x: number;
  /** May be `x` itself, else must not overlap it. */
  out: number;
}

const SCALE_ARGS = new ArgNames({ n: true, alpha: true, x: true, out: true } satisfies KnownArgs<ScaleArgs>);

/** outᵢ = α·xᵢ. */
export function scale(core: Core, args: ScaleArgs, impl: Impl = 'simd'): void {
  checkArgs('scale', args, SCALE_ARGS);
  scaled(core, 'scale', args.n, args.alpha, args.x, 'out', args.out, impl);
}

function scaled(core: Core, op: 'scale' | 'axpy', n0: number, alpha0: number, x0: number, outName: string, out0: number, impl: Impl): void {
  checkImpl(op, impl);
  const n = checkDim(op, 'n', n0);
  const alpha = checkFinite(op, 'alpha', alpha0);
  const x = checkVector(core, op, 'x', x0, n);
  const out = checkVector(core, op, outName, out0, n);
  checkAliasing(op, outName, out, 4 * n, 'x', x, 4 * n);
  twin(core, op, impl)(n, alpha, x, out);
  core.pool?.check(); // long vectors split over a threaded core's threads
}

export interface AxpyArgs {
  n: number;
  alpha: number;
  x: number;
  /** Updated in place; may be `x` itself (then y ← (1+α)·y), else must not overlap it. */
  y: number;
}

const AXPY_ARGS = new ArgNames({ n: true, alpha: true, x: true, y: true } satisfies KnownArgs<AxpyArgs>);

/** yᵢ ← α·xᵢ + yᵢ (BLAS saxpy; one rounding for the product, one for the sum). */
export function axpy(core: Core, args: AxpyArgs, impl: Impl = 'simd'): void {
  checkArgs('axpy', args, AXPY_ARGS);
  scaled(core, 'axpy', args.n, args.alpha, args.x, 'y', args.y, impl);
}

export interface UnaryArgs {
  n: number;
  x: number;
  /** May be `x` itself, else must not overlap it. */
  out: number;
}

const UNARY_ARGS = new ArgNames({ n: true, x: true, out: true } satisfies KnownArgs<UnaryArgs>);

function unary(core: Core, name: 'exp' | 'log' | 'sigmoid' | 'tanh' | 'relu', args: UnaryArgs, impl: Impl): void {
  checkArgs(name, args, UNARY_ARGS);
  checkImpl(name, impl);
  const n = checkDim(name, 'n', args.n);
  const x = checkVector(core, name, 'x', args.x, n);
  const out = checkVector(core, name, 'out', args.out, n);
  checkAliasing(name, 'out', out, 4 * n, 'x', x, 4 * n);
  twin(core, name, impl)(n, x, out);
  core.pool?.check(); // long vectors split over a threaded core's threads
}

/**
 * outᵢ = e^{xᵢ}. Cephes expf (Cody–Waite reduction, degree-7 polynomial), relative error ≤ 2e-7;
 * +Inf above ≈ 88.72, correctly rounded subnormals below ≈ −87.3, 0 below ≈ −103.97, NaN → NaN.
 */
export function exp(core: Core, args: UnaryArgs, impl: Impl = 'simd'): void {
  unary(core, 'exp', args, impl);
}

/** outᵢ = log xᵢ (Cephes logf, relative error ≤ 1e-7); log 0 = −Inf, log(x < 0) = NaN. */
export function log(core: Core, args: UnaryArgs, impl: Impl = 'simd'): void {
  unary(core, 'log', args, impl);
}

/**
 * outᵢ = σ(xᵢ) = 1/(1 + e^{−xᵢ}), evaluated as e^{xᵢ}/(1 + e^{xᵢ}) for xᵢ < 0 so that it never
 * overflows and keeps its relative accuracy (≤ 3e-7) down to the subnormals; σ(100) = 1 exactly.
 */
export function sigmoid(core: Core, args: UnaryArgs, impl: Impl = 'simd'): void {
  unary(core, 'sigmoid', args, impl);
}

/**
 * outᵢ = tanh xᵢ: an odd polynomial for |x| < 0.625 (relative accuracy near 0), 1 − 2/(e^{2|x|}+1)
 * above (Cephes tanhf); relative error ≤ 2e-7, tanh(±100) = ±1 exactly.
 */
export function tanh(core: Core, args: UnaryArgs, impl: Impl = 'simd'): void {
  unary(core, 'tanh', args, impl);
}

/** outᵢ = max(xᵢ, 0); NaN stays NaN. */
export function relu(core: Core, args: UnaryArgs, impl: Impl = 'simd'): void {
  unary(core, 'relu', args, impl);
}

export interface GradArgs {
  n: number;
  /** Upstream gradient ∂L/∂y. */
  dy: number;
  /** Written (or accumulated into); may be `dy` itself. */
  dx: number;
  /** Add into dx instead of overwriting it (overwrite never reads dx). Default false. */
  accumulate?: boolean;
}

/** The arguments of an activation's backward from its forward output y (sigmoid, tanh). */
export type OutputGradArgs = GradArgs & { y: number };
/** The arguments of an activation's backward from its forward input x (ReLU). */
export type InputGradArgs = GradArgs & { x: number };

const GRAD_ARGS = { n: true, dy: true, dx: true, accumulate: true } satisfies KnownArgs<GradArgs>;
const OUTPUT_GRAD_ARGS = new ArgNames({ ...GRAD_ARGS, y: true } satisfies KnownArgs<OutputGradArgs>);
const INPUT_GRAD_ARGS = new ArgNames({ ...GRAD_ARGS, x: true } satisfies KnownArgs<InputGradArgs>);

function grad(
  core: Core, name: string, kernel: 'sigmoid_backward' | 'tanh_backward' | 'relu_backward', vName: 'x' | 'y',
  args: GradArgs & { x?: number; y?: number }, impl: Impl,
): void {
  checkArgs(name, args, vName === 'y' ? OUTPUT_GRAD_ARGS : INPUT_GRAD_ARGS);
  checkImpl(name, impl);
  const n = checkDim(name, 'n', args.n);
  const vp = checkVector(core, name, vName, args[vName], n);
  const dy = checkVector(core, name, 'dy', args.dy, n);
  const dx = checkVector(core, name, 'dx', args.dx, n);
  const accumulate = checkFlag(name, 'accumulate', args.accumulate ?? false);
  checkAliasing(name, 'dx', dx, 4 * n, 'dy', dy, 4 * n);
  checkAliasing(name, 'dx', dx, 4 * n, vName, vp, 4 * n);
  twin(core, kernel, impl)(n, vp, dy, dx, +accumulate);
  core.pool?.check(); // long vectors split over a threaded core's threads
}

/** ∂L/∂x = ∂L/∂y · y(1 − y), from the forward output y = σ(x). */
export function sigmoidBackward(core: Core, args: OutputGradArgs, impl: Impl = 'simd'): void {
  grad(core, 'sigmoidBackward', 'sigmoid_backward', 'y', args, impl);
}

/** ∂L/∂x = ∂L/∂y · (1 − y²), from the forward output y = tanh x. */
export function tanhBackward(core: Core, args: OutputGradArgs, impl: Impl = 'simd'): void {
  grad(core, 'tanhBackward', 'tanh_backward', 'y', args, impl);
}

/**
 * ∂L/∂x = ∂L/∂y · [x > 0], from the forward input x. NOTE: the subgradient at 0 is 0, and a NaN x
 * also gives 0 (PyTorch's threshold_backward).
 */
export function reluBackward(core: Core, args: InputGradArgs, impl: Impl = 'simd'): void {
  grad(core, 'reluBackward', 'relu_backward', 'x', args, impl);
}

export interface ReduceArgs {
  n: number;
  x: number;
}

const REDUCE_ARGS = new ArgNames({ n: true, x: true } satisfies KnownArgs<ReduceArgs>);

function reduce(core: Core, name: string, kernel: 'sum' | 'sumsq', args: ReduceArgs, impl: Impl): number {
  checkArgs(name, args, REDUCE_ARGS);
  checkImpl(name, impl);
  const n = checkDim(name, 'n', args.n);
  const x = checkVector(core, name, 'x', args.x, n);
  const total = twin(core, kernel, impl)(n, x);
  core.pool?.check(); // long vectors are reduced in chunks on a threaded core's threads
  return total;
}

/**
 * Σᵢ xᵢ, accumulated in float64 (exact to ~1e-16 relative per term for any n); a float64 result.
 * Past 2¹⁶ elements the sum is taken in fixed chunks (at most 16) added in order, the same on one
 * thread or several.
 */
export function sum(core: Core, args: ReduceArgs, impl: Impl = 'simd'): number {
  return reduce(core, 'sum', 'sum', args, impl);
}

/** Σᵢ xᵢ², squares and sum in float64 (the squared global norm for gradient clipping). */
export function sumOfSquares(core: Core, args: ReduceArgs, impl: Impl = 'simd'): number {
  return reduce(core, 'sumOfSquares', 'sumsq', args, impl);
}

export interface RowsArgs {
  rows: number;
  cols: number;
  x: number;
  /** Row stride of x in elements; default cols. */
  ldx?: number;
  /** May be `x` itself with the same stride, else must not overlap x. */
  out: number;
  /** Row stride of out; default cols. */
  ldo?: number;
}

const ROWS_ARGS = new ArgNames({ rows: true, cols: true, x: true, ldx: true, out: true, ldo: true } satisfies KnownArgs<RowsArgs>);

function rowwise(core: Core, name: string, kernel: 'softmax' | 'log_softmax', args: RowsArgs, impl: Impl): void {
  checkArgs(name, args, ROWS_ARGS);
  checkImpl(name, impl);
  const rows = checkDim(name, 'rows', args.rows);
  const cols = checkDim(name, 'cols', args.cols);
  const ldx = checkStride(name, 'ldx', args.ldx ?? cols, cols);
  const ldo = checkStride(name, 'ldo', args.ldo ?? cols, cols);
  const x = checkMatrix(core, name, 'x', args.x, rows, cols, ldx);
  const out = checkMatrix(core, name, 'out', args.out, rows, cols, ldo);
  checkAliasing(name, 'out', out, matrixBytes(rows, cols, ldo), 'x', x, matrixBytes(rows, cols, ldx), ldx === ldo);
  twin(core, kernel, impl)(rows, cols, x, ldx, out, ldo);
}

/**
 * Row-wise softmax: out_{r,j} = e^{x_{r,j} − m_r} / Σₖ e^{x_{r,k} − m_r}, m_r = maxₖ x_{r,k}
 * (subtracting the row max keeps every exponent ≤ 0; the sum is accumulated in float64).
 * NOTE: a row containing NaN or +Inf, or made only of −Inf, gives NaN in the whole row.
 */
export function softmax(core: Core, args: RowsArgs, impl: Impl = 'simd'): void {
  rowwise(core, 'softmax', 'softmax', args, impl);
}

/** Row-wise log-softmax: out_{r,j} = (x_{r,j} − m_r) − log Σₖ e^{x_{r,k} − m_r}. */
export function logSoftmax(core: Core, args: RowsArgs, impl: Impl = 'simd'): void {
  rowwise(core, 'logSoftmax', 'log_softmax', args, impl);
}

export interface RowsGradArgs {
  rows: number;
  cols: number;
  /** The forward output (softmax or log-softmax), rows×cols. */
  y: number;
  /** Row stride of y; default cols. */
  ldy?: number;
  /** Upstream gradient ∂L/∂y, rows×cols. */
  dy: number;
  lddy?: number;
  /** Written (overwritten); may be `dy` or `y` itself with the same stride, else must overlap neither. */
  dx: number;
  lddx?: number;
}

const ROWS_GRAD_ARGS = new ArgNames({
  rows: true, cols: true, y: true, ldy: true, dy: true, lddy: true, dx: true, lddx: true,
} satisfies KnownArgs<RowsGradArgs>);

function rowwiseGrad(core: Core, name: string, kernel: 'softmax_backward' | 'log_softmax_backward', args: RowsGradArgs, impl: Impl): void {
  checkArgs(name, args, ROWS_GRAD_ARGS);
  checkImpl(name, impl);
  const rows = checkDim(name, 'rows', args.rows);
  const cols = checkDim(name, 'cols', args.cols);
  const ldy = checkStride(name, 'ldy', args.ldy ?? cols, cols);
  const lddy = checkStride(name, 'lddy', args.lddy ?? cols, cols);
  const lddx = checkStride(name, 'lddx', args.lddx ?? cols, cols);
  const y = checkMatrix(core, name, 'y', args.y, rows, cols, ldy);
  const dy = checkMatrix(core, name, 'dy', args.dy, rows, cols, lddy);
  const dx = checkMatrix(core, name, 'dx', args.dx, rows, cols, lddx);
  const dxBytes = matrixBytes(rows, cols, lddx);
  checkAliasing(name, 'dx', dx, dxBytes, 'dy', dy, matrixBytes(rows, cols, lddy), lddx === lddy);
  checkAliasing(name, 'dx', dx, dxBytes, 'y', y, matrixBytes(rows, cols, ldy), lddx === ldy);
  twin(core, kernel, impl)(rows, cols, y, ldy, dy, lddy, dx, lddx);
}

/**
 * Softmax backward from its output y: ∂L/∂x_{r,j} = y_{r,j}·(∂L/∂y_{r,j} − Σₖ ∂L/∂y_{r,k}·y_{r,k})
 * (the row sum in float64). Overwrites dx.
 */
export function softmaxBackward(core: Core, args: RowsGradArgs, impl: Impl = 'simd'): void {
  rowwiseGrad(core, 'softmaxBackward', 'softmax_backward', args, impl);
}

/**
 * Log-softmax backward from its output y: ∂L/∂x_{r,j} = ∂L/∂y_{r,j} − e^{y_{r,j}}·Σₖ ∂L/∂y_{r,k}
 * (e^{y} is the softmax; the row sum in float64). Overwrites dx.
 */
export function logSoftmaxBackward(core: Core, args: RowsGradArgs, impl: Impl = 'simd'): void {
  rowwiseGrad(core, 'logSoftmaxBackward', 'log_softmax_backward', args, impl);
}
