import { fail, sgemm } from '../backend.js';
import { apply, type Function } from '../function.js';
import { fmt, sameShape, sizeOf } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';

// Matrix products on the core's SGEMM: C = A·B forward, dA = dC·Bᵀ and dB = Aᵀ·dC backward (the
// transposes are GEMM flags, never copies).

interface Plan {
  m: number;
  k: number;
  n: number;
  /** Matrices in the batch (1 for plain 2-D products). */
  batch: number;
  /** b is one matrix shared by every batch element (its rows of A are then one big GEMM). */
  sharedB: boolean;
  /** a is one matrix shared by every batch element. */
  sharedA: boolean;
  outShape: number[];
}

function plan(a: Tensor, b: Tensor): Plan {
  const as = a.shape, bs = b.shape;
  if (as.length === 0 || bs.length === 0) throw fail('E_SHAPE', `matmul: both operands need at least one dimension, got ${fmt(as)} and ${fmt(bs)}`);
  const m = as.length === 1 ? 1 : as[as.length - 2];
  const ka = as[as.length - 1];
  const kb = bs.length === 1 ? bs[0] : bs[bs.length - 2];
  const n = bs.length === 1 ? 1 : bs[bs.length - 1];
  if (ka !== kb) throw fail('E_SHAPE', `matmul: inner dimensions differ: ${fmt(as)} · ${fmt(bs)} (${ka} vs ${kb})`);
  const batchA = as.slice(0, Math.max(as.length - 2, 0));
  const batchB = bs.slice(0, Math.max(bs.length - 2, 0));
  let batchShape: number[];
  if (batchB.length === 0) batchShape = batchA;
  else if (batchA.length === 0 || sameShape(batchA, batchB)) batchShape = batchB;
  else throw fail('E_SHAPE', `matmul: batch dimensions must agree (or one operand be a matrix): ${fmt(as)} · ${fmt(bs)}`);
  const outShape = [...batchShape];
  if (as.length > 1) outShape.push(m);
  if (bs.length > 1) outShape.push(n);
  return { m, k: ka, n, batch: sizeOf(batchShape), sharedB: batchB.length === 0, sharedA: batchA.length === 0, outShape };
}

const MatmulFn: Function<Plan, Plan> = {
  name: 'matmul',
  forward: (ctx, [a, b], p) => {
    ctx.saved = p;
    const core = a.core;
    const out = empty(core, p.outShape);
    const { m, k: kk, n, batch } = p;
    if (p.sharedB) {
      // Rows of every batch element at once: (batch·m)×k · k×n.
      sgemm(core, { m: batch * m, n, k: kk, a: a.ptr, b: b.ptr, c: out.ptr });
    } else {
      for (let i = 0; i < batch; i++) {
        const pa = a.ptr + (p.sharedA ? 0 : i * m * kk * 4);
        sgemm(core, { m, n, k: kk, a: pa, b: b.ptr + i * kk * n * 4, c: out.ptr + i * m * n * 4 });
      }
    }
    return out;
  },
  backward: ({ inputs: [a, b], needsGrad, saved }, [g]) => {
    const p = saved!;
    const core = g!.core;
    const { m, k: kk, n, batch } = p;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needsGrad[0]) {
      da = empty(core, a.shape);
      if (p.sharedB) {
        sgemm(core, { transB: true, m: batch * m, n: kk, k: n, a: g!.ptr, b: b.ptr, c: da.ptr });
      } else {
        for (let i = 0; i < batch; i++) {
          // A shared by the batch: its gradient is the sum over the batch (β = 1 after the first).
          const beta = p.sharedA && i > 0 ? 1 : 0;
          const pc = da.ptr + (p.sharedA ? 0 : i * m * kk * 4);
          sgemm(core, { transB: true, m, n: kk, k: n, beta, a: g!.ptr + i * m * n * 4, b: b.ptr + i * kk * n * 4, c: pc });
        }
      }
    }
    if (needsGrad[1]) {
      db = empty(core, b.shape);
      if (p.sharedB) {
        sgemm(core, { transA: true, m: kk, n, k: batch * m, a: a.ptr, b: g!.ptr, c: db.ptr });
      } else {
        for (let i = 0; i < batch; i++) {
          const pa = a.ptr + (p.sharedA ? 0 : i * m * kk * 4);
          sgemm(core, { transA: true, m: kk, n, k: m, a: pa, b: g!.ptr + i * m * n * 4, c: db.ptr + i * kk * n * 4 });
        }
      }
    }
    return [da, db];
  },
};

/**
 * Matrix product a·b (PyTorch's matmul): [m, k]·[k, n] → [m, n]; a 1-D operand is a row (left)
 * or column (right) vector whose dimension is dropped from the result; batched [..., m, k]·[..., k, n]
 * when both have the same batch dimensions, or when one of them is a single matrix (a layer's
 * weight: then x[..., m, k]·W[k, n] is one GEMM over all rows).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  coreOf('matmul', a, b);
  checkFloat('matmul', a, 'a');
  checkFloat('matmul', b, 'b');
  return apply(MatmulFn, [a, b], plan(a, b));
}
