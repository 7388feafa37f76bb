import { describe, expect, test } from 'vitest';
import {
  add, arange, binaryCrossEntropyWithLogits, concat, crossEntropy, dropout, EddyError, eye, full, index, manualSeed, matmul, mse, mul,
  ones, rand, randn, reshape, scope, softmax, tensor, zeros,
} from './index.js';

function error(fn: () => unknown): EddyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw e;
  }
  throw new Error('expected an EddyError');
}

describe('creation', () => {
  test('tensor from nested arrays, flat data with a shape, scalars, int32', () => {
    scope(() => {
      const a = tensor([[1, 2, 3], [4, 5, 6]]);
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.toFloat32Array())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(tensor(new Float32Array([1, 2, 3, 4]), [2, 2]).shape).toEqual([2, 2]);
      expect(tensor(2.5).shape).toEqual([]);
      expect(tensor(2.5).item()).toBe(2.5);
      const ids = tensor([3, -1], undefined, { dtype: 'int32' });
      expect(ids.toArray()).toEqual(new Int32Array([3, -1]));
      expect(error(() => tensor([1, 2, 3], [2, 2])).code).toBe('E_SHAPE');
      expect(error(() => tensor([[1, 2], [3]])).code).toBe('E_SHAPE');
      expect(error(() => tensor([1.5], undefined, { dtype: 'int32' })).code).toBe('E_ARGUMENT');
      expect(error(() => tensor([1], undefined, { dtype: 'int32', requiresGrad: true })).code).toBe('E_ARGUMENT');
    });
  });

  test('zeros, ones, full, arange, eye', () => {
    scope(() => {
      expect(Array.from(zeros([2]).toFloat32Array())).toEqual([0, 0]);
      expect(Array.from(ones([1, 2]).toFloat32Array())).toEqual([1, 1]);
      expect(Array.from(full([2], -Infinity).toFloat32Array())).toEqual([-Infinity, -Infinity]);
      expect(Array.from(arange(4).toFloat32Array())).toEqual([0, 1, 2, 3]);
      expect(Array.from(arange(1, 2, 0.25).toFloat32Array())).toEqual([1, 1.25, 1.5, 1.75]);
      expect(arange(3, undefined, 1, { dtype: 'int32' }).dtype).toBe('int32');
      expect(Array.from(eye(2, 3).toFloat32Array())).toEqual([1, 0, 0, 0, 1, 0]);
      expect(error(() => zeros([2, -1])).code).toBe('E_SHAPE');
      expect(error(() => arange(0, 1, 0)).code).toBe('E_ARGUMENT');
    });
  });

  test('randn and rand are reproducible under manualSeed and have the right moments', () => {
    scope(() => {
      manualSeed(42);
      const a = randn([4000]).toFloat32Array();
      manualSeed(42);
      expect(randn([4000]).toFloat32Array()).toEqual(a);
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      const v = a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length;
      expect(Math.abs(m)).toBeLessThan(0.06);
      expect(Math.abs(v - 1)).toBeLessThan(0.08);
      const u = rand([1000]).toFloat32Array();
      expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    });
  });
});

describe('losses and dropout', () => {
  test('crossEntropy equals −log softmax at the target, mean over targets not ignored', () => {
    scope(() => {
      const z = tensor([[1, 2, 3], [0, 0, 0], [3, -1, 2]]);
      const p = softmax(z).toFloat32Array();
      const expected = -(Math.log(p[2]) + Math.log(p[6])) / 2;
      const loss = crossEntropy(z, tensor([2, -100, 0], undefined, { dtype: 'int32' }));
      expect(loss.item()).toBeCloseTo(expected, 6);
      const s = crossEntropy(z, tensor([2, 7, 0], undefined, { dtype: 'int32' }), { ignoreIndex: 7, reduction: 'sum' });
      expect(s.item()).toBeCloseTo(2 * expected, 5);
      expect(error(() => crossEntropy(z, tensor([2, 3, 0], undefined, { dtype: 'int32' }))).code).toBe('E_ARGUMENT');
      expect(error(() => crossEntropy(z, tensor([2, 0], undefined, { dtype: 'int32' }))).message).toMatch(/crossEntropy.*\[3, 3\].*\[2\]/);
    });
  });

  test('mse and binaryCrossEntropyWithLogits match their formulas, stable at ±100', () => {
    scope(() => {
      expect(mse(tensor([1, 2]), tensor([0, 4])).item()).toBeCloseTo(2.5, 6);
      const x = [-100, -1, 0, 2, 100], y = [0, 1, 0.5, 0, 1];
      const ref = x.map((v, i) => -(y[i] * Math.log(1 / (1 + Math.exp(-v))) + (1 - y[i]) * Math.log(1 - 1 / (1 + Math.exp(-v)))));
      ref[0] = 0; // −log(1 − σ(−100)) underflows to 0 in float64 too
      ref[4] = 0;
      const got = binaryCrossEntropyWithLogits(tensor(x), tensor(y), { reduction: 'none' }).toFloat32Array();
      got.forEach((g, i) => expect(g).toBeCloseTo(ref[i], 5));
    });
  });

  test('dropout: identity in eval; in training zeros about p and scales survivors by 1/(1−p); gradient is the mask', () => {
    scope(() => {
      const x = ones([10000], { requiresGrad: true });
      expect(dropout(x, 0.3, false)).toBe(x);
      manualSeed(1);
      const y = dropout(x, 0.3, true);
      const v = y.toFloat32Array();
      const zeros = v.filter((e) => e === 0).length;
      expect(Math.abs(zeros / v.length - 0.3)).toBeLessThan(0.02);
      expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
      y.sum().backward();
      expect(x.grad!.toFloat32Array()).toEqual(v);
      manualSeed(1);
      expect(dropout(x, 0.3, true).toFloat32Array()).toEqual(v);
      expect(error(() => dropout(x, 1)).code).toBe('E_ARGUMENT');
      expect(error(() => dropout(x, NaN)).code).toBe('E_ARGUMENT');
    });
  });
});

describe('misuse gives typed errors naming the op and shapes', () => {
  test('shape mismatches', () => {
    scope(() => {
      expect(error(() => add(zeros([2, 3]), zeros([4]))).message).toMatch(/add: shapes \[2, 3\] and \[4\]/);
      const e = error(() => matmul(zeros([2, 3]), zeros([4, 5])));
      expect(e.code).toBe('E_SHAPE');
      expect(e.message).toMatch(/matmul.*\[2, 3\].*\[4, 5\]/);
      expect(error(() => reshape(zeros([2, 3]), [4])).code).toBe('E_SHAPE');
      expect(error(() => concat([zeros([2, 3]), zeros([3, 3])], 1)).message).toMatch(/concat.*\[2, 3\].*\[3, 3\]/);
      expect(error(() => index(zeros([3, 2]), tensor([3], undefined, { dtype: 'int32' }))).code).toBe('E_ARGUMENT');
    });
  });

  test('non-finite scalars where a finite one is required', () => {
    scope(() => {
      for (const v of [NaN, Infinity, -Infinity]) {
        expect(error(() => mul(zeros([2]), v)).code).toBe('E_ARGUMENT');
        expect(error(() => add(zeros([2]), v)).code).toBe('E_ARGUMENT');
      }
      expect(error(() => add(tensor([1], undefined, { dtype: 'int32' }), zeros([1]))).code).toBe('E_ARGUMENT');
    });
  });
});
