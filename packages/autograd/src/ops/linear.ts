import { fail, k } from '../backend.js';
import { apply, type Function } from '../function.js';
import { fmt } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';

// The affine map of a Linear layer, y = x·Wᵀ + b with W stored [out, in] as PyTorch stores it: the
// transpose is a GEMM flag, never a copy, and the bias is written into y before the GEMM adds to it.

interface Sizes {
  rows: number;
  inF: number;
  outF: number;
}

const LinearFn: Function<Sizes, Sizes> = {
  name: 'linear',
  forward: (ctx, [x, w, b], s) => {
    ctx.saved = s;
    const core = x.core;
    const out = empty(core, [...x.shape.slice(0, -1), s.outF]);
    if (b !== undefined) {
      const f32 = core.arena.f32;
      const bias = f32.subarray(b.ptr >>> 2, (b.ptr >>> 2) + s.outF);
      for (let r = 0, at = out.ptr >>> 2; r < s.rows; r++, at += s.outF) f32.set(bias, at);
    }
    k.sgemm(core, { transB: true, m: s.rows, n: s.outF, k: s.inF, a: x.ptr, b: w.ptr, beta: b === undefined ? 0 : 1, c: out.ptr });
    return out;
  },
  backward: ({ inputs: [x, w, b], needsGrad, saved }, [g]) => {
    const { rows, inF, outF } = saved!;
    const core = g!.core;
    let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
    if (needsGrad[0]) {
      dx = empty(core, x.shape);
      k.sgemm(core, { m: rows, n: inF, k: outF, a: g!.ptr, b: w.ptr, c: dx.ptr }); // dX = G·W
    }
    if (needsGrad[1]) {
      dw = empty(core, w.shape);
      k.sgemm(core, { transA: true, m: outF, n: inF, k: rows, a: g!.ptr, b: x.ptr, c: dw.ptr }); // dW = Gᵀ·X
    }
    if (b !== undefined && needsGrad[2]) {
      // db = 1ᵀ·G: column sums as one GEMM against a vector of ones.
      const ones = empty(core, [rows]);
      core.arena.f32.fill(1, ones.ptr >>> 2, (ones.ptr >>> 2) + rows);
      db = empty(core, [outF]);
      k.sgemm(core, { m: 1, n: outF, k: rows, a: ones.ptr, b: g!.ptr, c: db.ptr });
      ones.dispose();
    }
    return b === undefined ? [dx, dw] : [dx, dw, db];
  },
};

/**
 * y = x·Wᵀ + b (PyTorch's `F.linear`): x [..., in], weight [out, in], bias [out] → y [..., out].
 * One GEMM with W transposed by flag; backward dX = G·W, dW = Gᵀ·X, db = Σ_rows G.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  coreOf('linear', x, weight, bias);
  checkFloat('linear', x, 'x');
  checkFloat('linear', weight, 'weight');
  if (weight.shape.length !== 2) throw fail('E_SHAPE', `linear: weight must be [out, in], got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inF) {
    throw fail('E_SHAPE', `linear: x must end in the weight's in-features ${inF}: x ${fmt(x.shape)}, weight ${fmt(weight.shape)}`);
  }
  if (bias !== undefined) {
    checkFloat('linear', bias, 'bias');
    if (bias.shape.length !== 1 || bias.shape[0] !== outF) {
      throw fail('E_SHAPE', `linear: bias must be [${outF}] for weight ${fmt(weight.shape)}, got ${fmt(bias.shape)}`);
    }
  }
  const rows = x.size / inF;
  const inputs = bias === undefined ? [x, weight] : [x, weight, bias];
  return apply(LinearFn, inputs, { rows, inF, outF });
}
