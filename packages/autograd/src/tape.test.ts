import { describe, expect, test } from 'vitest';
import { add, backward, EddyError, matmul, mul, noGrad, ones, scope, sum, tensor, zeros } from './index.js';
import { tapeLength } from './internal.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return e.code;
    throw e;
  }
  return undefined;
}

describe('backward', () => {
  test('matmul, mul, add, sum: gradients equal the hand-derived ones', () => {
    scope(() => {
      const a = tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      const b = tensor([[5, 6], [7, 8]], undefined, { requiresGrad: true });
      // y = Σ (A·B) ⊙ A + 4: ∂y/∂A = (A·B) + A·Bᵀ-term: G·Bᵀ with G = A, plus A·B itself.
      const c = matmul(a, b);
      const y = c.mul(a).add(1).sum();
      expect(y.item()).toBe(19 + 44 + 129 + 200 + 4);
      y.backward();
      // dA = C + A·Bᵀ ; dB = Aᵀ·A.
      expect(Array.from(a.grad!.toFloat32Array())).toEqual([19 + 17, 22 + 23, 43 + 39, 50 + 53]);
      expect(Array.from(b.grad!.toFloat32Array())).toEqual([10, 14, 14, 20]);
    });
  });

  test('a tensor used twice gets both contributions; gradients accumulate across calls', () => {
    scope(() => {
      const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
      sum(mul(x, x)).backward();
      expect(Array.from(x.grad!.toFloat32Array())).toEqual([2, 4, 6]);
      sum(add(x, x)).backward();
      expect(Array.from(x.grad!.toFloat32Array())).toEqual([4, 6, 8]);
      x.zeroGrad();
      expect(Array.from(x.grad!.toFloat32Array())).toEqual([0, 0, 0]);
    });
  });

  test('an explicit output gradient for a non-scalar', () => {
    scope(() => {
      const x = tensor([1, 2], undefined, { requiresGrad: true });
      mul(x, 3).backward(tensor([10, 100]));
      expect(Array.from(x.grad!.toFloat32Array())).toEqual([30, 300]);
    });
  });

  test('a chain of 10⁵ nodes backpropagates without recursion', () => {
    scope(() => {
      const x = tensor([0.5], undefined, { requiresGrad: true });
      let y = x;
      for (let i = 0; i < 100_000; i++) y = add(y, x);
      y.sum().backward();
      expect(x.grad!.item()).toBe(100_001);
    });
  });

  test('misuse: non-scalar without gradient, no grad, gradient of the wrong shape, second backward', () => {
    scope(() => {
      const x = tensor([1, 2], undefined, { requiresGrad: true });
      const y = mul(x, 2);
      expect(code(() => y.backward())).toBe('E_GRAD');
      expect(code(() => tensor([1]).backward())).toBe('E_GRAD');
      expect(code(() => y.backward(ones([3])))).toBe('E_SHAPE');
      const s = y.sum();
      s.backward();
      expect(code(() => s.backward())).toBe('E_GRAD');
      expect(code(() => backward(noGrad(() => mul(x, 2)).sum()))).toBe('E_GRAD');
    });
  });

  test('noGrad records nothing; backward releases its nodes', () => {
    scope(() => {
      const start = tapeLength();
      const x = zeros([3], { requiresGrad: true });
      noGrad(() => add(x, x));
      expect(tapeLength()).toBe(start);
      const y = add(x, x).sum();
      expect(tapeLength()).toBe(start + 2);
      y.backward();
      expect(tapeLength()).toBe(start);
    });
  });
});
