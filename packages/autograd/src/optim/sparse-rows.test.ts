import { describe, expect, it } from 'vitest';
import { tensor } from '../creation.js';
import { scope } from '../scope.js';
import { backward } from '../tape.js';
import { Tensor } from '../tensor.js';
import { Adagrad, Adam, type Optimizer } from './index.js';

// Row-sparse embedding gradients: `index` on a leaf adds its rows into the leaf's gradient in place
// and remembers them, `zeroGrad` clears those rows, Adagrad (no weight decay) steps those rows. The
// reference is the dense path, reached by looking rows up in a non-leaf copy of the same table
// (w·1), whose gradient reaches w whole: every step must agree bit for bit, on every row.

const V = 40, D = 7; // D not a multiple of the SIMD width: rows end in the scalar tail

function table(): Tensor {
  const values = Float32Array.from({ length: V * D }, (_, i) => Math.sin(0.37 * i) * 0.8);
  return tensor(values, [V, D], { requiresGrad: true });
}

/** The ids of step t: some repeated, most rows never read. */
const idsAt = (t: number) => Int32Array.from([3, 17, 3, (5 * t) % V, 29, (11 * t + 2) % V]);

/** Loss Σ rows ⊙ c for a fixed c, through a row lookup of w (sparse) or of w·1 (dense). */
function lossOf(w: Tensor, t: number, dense: boolean): Tensor {
  const ids = idsAt(t);
  const c = tensor(Float32Array.from({ length: ids.length * D }, (_, i) => Math.cos(0.9 * i + t)), [ids.length, D]);
  const rows = (dense ? w.mul(1) : w).index(tensor(ids, [ids.length], { dtype: 'int32' }));
  return rows.mul(c).sum();
}

function train(makeOpt: (w: Tensor) => Optimizer, dense: boolean, steps = 4): { w: Tensor; opt: Optimizer } {
  const w = table();
  const opt = makeOpt(w);
  for (let t = 1; t <= steps; t++) {
    scope(() => {
      opt.zeroGrad();
      backward(lossOf(w, t, dense));
      opt.step();
    });
  }
  return { w, opt };
}

const bits = (t: Tensor) => new Int32Array(t.toFloat32Array().buffer);

describe('row-sparse embedding gradients', () => {
  it('give the dense gradient, marking only the rows looked up, and zeroGrad clears them', () => {
    const sparse = table(), dense = table();
    backward(lossOf(sparse, 1, false));
    backward(lossOf(dense, 1, true));
    expect(bits(sparse.grad!)).toEqual(bits(dense.grad!));
    expect(dense.grad!.sparseRows).toBeNull();
    const rows = sparse.grad!.sparseRows!;
    expect([...rows.list.subarray(0, rows.count)].sort((a, b) => a - b)).toEqual([...new Set(idsAt(1))].sort((a, b) => a - b));
    // A second backward accumulates, the rows add up (the same sums, associated differently: a row
    // read twice gets (a + g₀) + g₁ here and a + (g₀ + g₁) on the dense path).
    backward(lossOf(sparse, 2, false));
    backward(lossOf(dense, 2, true));
    const got = sparse.grad!.toFloat32Array(), want = dense.grad!.toFloat32Array();
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    expect(rows.count).toBe(new Set([...idsAt(1), ...idsAt(2)]).size);
    sparse.zeroGrad();
    expect(sparse.grad!.toFloat32Array().every((v) => v === 0)).toBe(true);
    expect(rows.count).toBe(0);
  });

  it('turn dense at the first dense contribution', () => {
    const w = table();
    backward(lossOf(w, 1, false));
    backward(w.mul(2).sum());
    expect(w.grad!.sparseRows).toBeNull();
    w.zeroGrad();
    expect(w.grad!.toFloat32Array().every((v) => v === 0)).toBe(true);
  });

  it('Adagrad without weight decay steps the touched rows only, equal to the dense update on every row', () => {
    const make = (w: Tensor) => new Adagrad([w], { lr: 0.3, lrDecay: 0.1, initialAccumulatorValue: 0.05 });
    const a = train(make, false), b = train(make, true);
    expect(bits(a.w)).toEqual(bits(b.w));
    const sa = a.opt.stateDict().state[0], sb = b.opt.stateDict().state[0];
    expect(new Int32Array((sa.sum as Float32Array).buffer)).toEqual(new Int32Array((sb.sum as Float32Array).buffer));
    expect(sa.step).toBe(sb.step);
    // Rows never looked up kept their values: the update was not a no-op everywhere else either.
    const start = table().toFloat32Array(), now = a.w.toFloat32Array();
    const moved = new Set(Array.from({ length: V }, (_, r) => r).filter((r) => now.subarray(r * D, (r + 1) * D).some((v, k) => v !== start[r * D + k])));
    expect(moved).toEqual(new Set([1, 2, 3, 4].flatMap((t) => [...idsAt(t)])));
  });

  it('Adagrad with weight decay and Adam stay dense and equal the dense path', () => {
    const decayed = train((w) => new Adagrad([{ params: [w], weightDecay: 0.01 }], { lr: 0.3 }), false);
    expect(bits(decayed.w)).toEqual(bits(train((w) => new Adagrad([{ params: [w], weightDecay: 0.01 }], { lr: 0.3 }), true).w));
    // The decay moved row 0, which no step looked up.
    const start = table().toFloat32Array();
    expect(decayed.w.toFloat32Array().subarray(0, D).some((v, k) => v !== start[k])).toBe(true);
    const make = (w: Tensor) => new Adam([w], { lr: 0.05 });
    expect(bits(train(make, false).w)).toEqual(bits(train(make, true).w));
  });

  it('Adagrad with lazyWeightDecay decays and steps the looked-up rows only (a float64 reference of CoreNLP\'s update)', () => {
    const lr = 0.3, lambda = 0.05, eps = 1e-3, steps = 4;
    const { w } = train((t) => new Adagrad([{ params: [t], weightDecay: lambda }], { lr, eps, lazyWeightDecay: true }), false, steps);
    const theta = Float64Array.from(table().toFloat32Array()), sum = new Float64Array(V * D);
    for (let t = 1; t <= steps; t++) {
      const ids = idsAt(t), g = new Map<number, Float64Array>();
      ids.forEach((id, k) => {
        const row = g.get(id) ?? new Float64Array(D);
        for (let j = 0; j < D; j++) row[j] += Math.fround(Math.cos(0.9 * (k * D + j) + t));
        g.set(id, row);
      });
      for (const [id, row] of g) {
        for (let j = 0; j < D; j++) {
          const i = id * D + j, gi = row[j] + lambda * theta[i];
          sum[i] += gi * gi;
          theta[i] -= (lr * gi) / (Math.sqrt(sum[i]) + eps);
        }
      }
    }
    const got = w.toFloat32Array();
    theta.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    // Row 0 is never looked up: unlike the dense decay above, it kept its value exactly.
    expect(Array.from(got.subarray(0, D))).toEqual(Array.from(table().toFloat32Array().subarray(0, D)));
  });
});
