import { describe, expect, it } from 'vitest';
import { gradcheck, linear, randn, scope, tensor, zeros, type Tensor } from '../index.js';

function rnd(shape: number[]): Tensor {
  return randn(shape, { requiresGrad: true });
}

describe('linear', () => {
  it('computes x·Wᵀ + b against a float64 reference, for any leading dimensions', () => {
    scope(() => {
      const x = randn([2, 3, 4]);
      const w = randn([5, 4]);
      const b = randn([5]);
      const y = linear(x, w, b);
      expect(y.shape).toEqual([2, 3, 5]);
      const [xv, wv, bv, yv] = [x, w, b, y].map((t) => t.toFloat32Array());
      for (let r = 0; r < 6; r++) {
        for (let o = 0; o < 5; o++) {
          let acc = bv[o];
          for (let i = 0; i < 4; i++) acc += xv[r * 4 + i] * wv[o * 4 + i];
          expect(yv[r * 5 + o]).toBeCloseTo(acc, 5);
        }
      }
    });
  });

  it('passes gradcheck with and without a bias', () => {
    scope(() => {
      expect(gradcheck((x, w, b) => linear(x, w, b), [rnd([3, 4]), rnd([2, 4]), rnd([2])]).ok).toBe(true);
      expect(gradcheck((x, w) => linear(x, w), [rnd([2, 3, 4]), rnd([5, 4])]).ok).toBe(true);
    });
  });

  it('names both shapes when they do not fit', () => {
    scope(() => {
      expect(() => linear(zeros([3, 4]), zeros([2, 5]))).toThrow(/x must end in the weight's in-features 5: x \[3, 4\], weight \[2, 5\]/);
      expect(() => linear(zeros([3, 4]), zeros([2, 4]), zeros([3]))).toThrow(/bias must be \[2\]/);
    });
  });
});

describe('Tensor.copyFrom', () => {
  it('copies values in place, keeping the block, and checks shape and dtype', () => {
    scope(() => {
      const dst = zeros([2, 2]);
      const ptr = dst.ptr;
      dst.copyFrom(tensor([1, 2, 3, 4], [2, 2]));
      expect(dst.ptr).toBe(ptr);
      expect(Array.from(dst.toFloat32Array())).toEqual([1, 2, 3, 4]);
      expect(() => dst.copyFrom(zeros([4]))).toThrow(/source float32 \[4\] does not match destination float32 \[2, 2\]/);
      expect(() => dst.copyFrom(tensor([1, 2, 3, 4], [2, 2], { dtype: 'int32' }))).toThrow(/does not match/);
    });
  });
});

describe('linearPacked (internal)', () => {
  it('equals linear without bias, forward and every gradient, reusing one packing across products and one weight-gradient GEMM for them; gradcheck', async () => {
    const { PackedWeight, linearPacked } = await import('../internal.js');
    scope(() => {
      const w = randn([13, 9]).setRequiresGrad(true);
      const xs = [randn([5, 9]).setRequiresGrad(true), randn([1, 9]).setRequiresGrad(true), randn([40, 9]).setRequiresGrad(true)];
      const packed = new PackedWeight(w);
      const run = (f: (x: Tensor) => Tensor) => {
        w.zeroGrad();
        xs.forEach((x) => x.zeroGrad());
        const ys = xs.map(f);
        ys.reduce((s, y, i) => s.add(y.mul(y).sum().mul(i + 1)), zeros([])).backward();
        return [...ys, w.grad!, ...xs.map((x) => x.grad!)].map((t) => Array.from(t.toArray() as Float32Array));
      };
      const want = run((x) => linear(x, w));
      const got = run((x) => linearPacked(x, packed));
      // W's gradient is one GEMM over the three products stacked: the same sums, associated differently.
      got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i][j])))));
      // A second pass on the same packing (its weight-gradient node is new) gives the same.
      expect(run((x) => linearPacked(x, packed))).toEqual(got);
      // A product no gradient reaches adds nothing to W's.
      w.zeroGrad();
      const ys = xs.map((x) => linearPacked(x, packed));
      ys[1].sum().backward();
      const only = Array.from(w.grad!.toFloat32Array());
      w.zeroGrad();
      linear(xs[1], w).sum().backward();
      only.forEach((v, j) => expect(v).toBeCloseTo(w.grad!.toFloat32Array()[j], 5));
      const result = gradcheck((x, weight) => linearPacked(x, new PackedWeight(weight)), [randn([3, 4]).setRequiresGrad(true), randn([6, 4]).setRequiresGrad(true)]);
      expect(result.ok).toBe(true);
      expect(() => new PackedWeight(randn([3]))).toThrow(/\[out, in\]/);
      expect(() => linearPacked(randn([2, 5]), packed)).toThrow(/in-features 9/);
    });
  });
});
