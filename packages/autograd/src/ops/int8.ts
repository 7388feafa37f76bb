import { fail, gemmInt8, int8RowStride, quantizeInt8 as quantizeInt8Kernel, type Core } from '../backend.js';
import { isGradEnabled } from '../scope.js';
import { fmt } from '../shapes.js';
import { checkFloat, coreOf, empty, Tensor } from '../tensor.js';

// int8 weights for inference: sampling at batch 1 reads every weight once per token, so its speed is
// the speed of reading them, and int8 reads a quarter of float32's bytes. A weight is quantized once
// (one scale per row: per output unit) and `linearInt8` quantizes its input per call and multiplies
// in exact integer arithmetic (core-wasm `gemmInt8`). There is no backward: int8 weights are a
// frozen copy for sampling and evaluation, never trained.

/**
 * A weight matrix W [out, in] as int8 with one float32 scale per row: W ≈ q·s with
 * s = max|W[r, :]| / 127, q = round(W / s) (half to even), |W − q·s| ≤ s/2 per element. Made by
 * `quantizeInt8`; owns its memory in the core's arena until `dispose()`, whatever scope it was made in.
 */
export class Int8Weight {
  readonly core: Core;
  /** Rows (out features): one scale each. */
  readonly rows: number;
  /** Columns (in features). */
  readonly cols: number;
  /** @internal Byte offset of the int8 rows (`int8RowStride(cols)` bytes apart); −1 once disposed. */
  q: number;
  /** @internal Byte offset of the rows' float32 scales. */
  scales: number;

  /** @internal Use `quantizeInt8`. */
  constructor(core: Core, rows: number, cols: number) {
    this.core = core;
    this.rows = rows;
    this.cols = cols;
    this.q = core.arena.allocUnscoped(Math.max(rows * int8RowStride(core, cols), 16));
    this.scales = core.arena.allocUnscoped(Math.max(rows * 4, 16));
  }

  /** @internal Throws E_SCOPE once disposed. */
  check(op: string): void {
    if (this.q < 0) throw fail('E_SCOPE', `${op}: the int8 weight was disposed`);
  }

  /** The float32 matrix q·s it stands for [rows, cols] (for tests and inspection). */
  dequantize(): Tensor {
    this.check('Int8Weight.dequantize');
    const { rows, cols } = this;
    const stride = int8RowStride(this.core, cols);
    const out = empty(this.core, [rows, cols]);
    const arena = this.core.arena;
    const q = new Int8Array(arena.u8.buffer, this.q, rows * stride);
    const s = arena.f32.subarray(this.scales >>> 2, (this.scales >>> 2) + rows);
    const f32 = arena.f32;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f32[(out.ptr >>> 2) + r * cols + c] = q[r * stride + c] * s[r];
    return out;
  }

  /** Frees its memory; using it afterwards throws E_SCOPE. */
  dispose(): void {
    if (this.q < 0) return;
    this.core.arena.free(this.q);
    this.core.arena.free(this.scales);
    this.q = -1;
    this.scales = -1;
  }
}

/** W [out, in] (float32) as int8 with one scale per row, for `linearInt8`. */
export function quantizeInt8(weight: Tensor): Int8Weight {
  const op = 'quantizeInt8';
  const core = coreOf(op, weight);
  checkFloat(op, weight, 'weight');
  if (weight.shape.length !== 2) throw fail('E_SHAPE', `${op}: weight must be [out, in], got ${fmt(weight.shape)}`);
  const [rows, cols] = weight.shape;
  const w = new Int8Weight(core, rows, cols);
  quantizeInt8Kernel(core, { rows, cols, x: weight.ptr, q: w.q, scales: w.scales });
  return w;
}

/**
 * y = x·Ŵᵀ + b with int8 weights Ŵ (`quantizeInt8`): x [..., in] → y [..., out]. Each row of x is
 * quantized with its own scale, the dot products are exact in integers, and y is rescaled by the
 * two scales, so y differs from `linear(x, W, b)` only by the two roundings (core-wasm `gemmInt8`
 * gives the bound). Inference only: it records nothing on the tape, and an x that requires grad
 * while gradients are recorded is refused (E_GRAD).
 */
export function linearInt8(x: Tensor, weight: Int8Weight, bias?: Tensor): Tensor {
  const op = 'linearInt8';
  const core = coreOf(op, x, bias);
  checkFloat(op, x, 'x');
  if (!(weight instanceof Int8Weight)) throw fail('E_ARGUMENT', `${op}: weight must be an Int8Weight from quantizeInt8, got ${typeof weight}`);
  weight.check(op);
  if (weight.core !== core) throw fail('E_CORE_MISMATCH', `${op}: x and the int8 weight come from two different cores`);
  const { rows: outF, cols: inF } = weight;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inF) {
    throw fail('E_SHAPE', `${op}: x must end in the weight's in-features ${inF}: x ${fmt(x.shape)}, weight [${outF}, ${inF}]`);
  }
  if (bias !== undefined) {
    checkFloat(op, bias, 'bias');
    if (bias.shape.length !== 1 || bias.shape[0] !== outF) throw fail('E_SHAPE', `${op}: bias must be [${outF}], got ${fmt(bias.shape)}`);
  }
  if (x.requiresGrad && isGradEnabled()) {
    throw fail('E_GRAD', `${op}: int8 weights are for inference and have no gradient; run it under noGrad() or on an x that does not require grad`);
  }
  const out = empty(core, [...x.shape.slice(0, -1), outF]);
  gemmInt8(core, { m: x.size / inF, n: outF, k: inF, a: x.ptr, q: weight.q, scales: weight.scales, bias: bias?.ptr, c: out.ptr });
  return out;
}
