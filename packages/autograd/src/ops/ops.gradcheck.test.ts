import { describe, expect, test } from 'vitest';
import { loadCoreSync } from '@eddy/core-wasm';
import { getCore, useCore } from '../backend.js';
import {
  add, binaryCrossEntropyWithLogits, concat, crossEntropy, div, exp, gather, gradcheck, index, log, logSoftmax, manualSeed,
  maskedFill, matmul, max, mean, mse, mul, neg, permute, relu, reshape, scope, sigmoid, slice, softmax, split, stack, sub, sum,
  rand, tanh, tensor, transpose, where, type Tensor,
} from '../index.js';

// Every differentiable op against central differences (gradcheck's tolerance note explains the
// float32 choices). Inputs are random but seeded, and kept away from kinks (relu at 0, max ties).

function rnd(shape: number[], lo = -1, hi = 1, grad = true): Tensor {
  const v = rand(shape).toFloat32Array().map((u) => lo + (hi - lo) * u);
  return tensor(v, shape, { requiresGrad: grad });
}

function ints(values: number[], shape = [values.length]): Tensor {
  return tensor(values, shape, { dtype: 'int32' });
}

function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options = {}): void {
  const r = gradcheck(fn, inputs, options);
  expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
  expect(r.ok).toBe(true);
}

/** gradcheck of Σ w ⊙ fn(...) with a fixed random w, made once outside fn. */
function weighted(shape: number[], fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const w = rnd(shape, -1, 1, false);
  check((...xs) => mul(fn(...xs), w), inputs);
}

const cases: Array<[string, () => void]> = [
  ['add (same shape)', () => check(add, [rnd([3, 4]), rnd([3, 4])])],
  ['add (bias broadcast)', () => check(add, [rnd([2, 3]), rnd([3])])],
  ['sub (both broadcast)', () => check(sub, [rnd([2, 1, 3]), rnd([4, 1])])],
  ['mul (broadcast, middle 1)', () => check(mul, [rnd([2, 1, 3]), rnd([2, 4, 3])])],
  ['div', () => check(div, [rnd([2, 3]), rnd([3], 0.5, 2)])],
  ['scalar ops and neg', () => check((x) => neg(div(sub(mul(add(x, 2), 3), 1), 4)), [rnd([5])])],
  ['exp', () => check(exp, [rnd([6])])],
  ['log', () => check(log, [rnd([6], 0.5, 3)])],
  ['tanh', () => check(tanh, [rnd([6], -2, 2)])],
  ['sigmoid', () => check(sigmoid, [rnd([6], -3, 3)])],
  ['relu (away from 0)', () => check(relu, [tensor([-1, -0.3, 0.2, 0.9, 2], [5], { requiresGrad: true })])],
  ['softmax (last dim)', () => check((x) => softmax(x), [rnd([3, 4])])],
  ['softmax (dim 0)', () => check((x) => softmax(x, 0), [rnd([3, 4])])],
  ['logSoftmax', () => check((x) => logSoftmax(x), [rnd([2, 5])])],
  ['sum (all, dim, dims+keepDim)', () => check((x) => add(add(sum(x), sum(x, 1)), sum(x, [0, 2], true).reshape([2])), [rnd([3, 2, 2])])],
  ['mean', () => check((x) => mean(x, -1), [rnd([3, 4])])],
  ['max (distinct values)', () => check((x) => max(x, 1), [tensor([1, 5, 2, 7, 3, 0, -1, 4], [2, 4], { requiresGrad: true })])],
  ['max (all)', () => check((x) => max(x), [tensor([1, 5, 2, 7], [4], { requiresGrad: true })])],
  ['matmul 2-D', () => check(matmul, [rnd([3, 4]), rnd([4, 2])])],
  ['matmul vector·matrix and matrix·vector', () => check((a, b, v) => add(matmul(v, a), matmul(b, v)), [rnd([4, 4]), rnd([4, 4]), rnd([4])])],
  ['matmul batched', () => check(matmul, [rnd([2, 3, 4]), rnd([2, 4, 2])])],
  ['matmul [T,B,I]·W shared', () => check(matmul, [rnd([2, 3, 4]), rnd([4, 5])])],
  ['matmul shared A · batched B', () => check(matmul, [rnd([3, 4]), rnd([2, 4, 5])])],
  ['reshape', () => weighted([3, 4], (x) => reshape(x, [3, -1]), [rnd([2, 6])])],
  ['transpose', () => weighted([4, 3, 2], (x) => transpose(x, 0, 2), [rnd([2, 3, 4])])],
  ['permute', () => weighted([3, 4, 2], (x) => permute(x, [1, 2, 0]), [rnd([2, 3, 4])])],
  ['slice', () => check((x) => slice(x, 1, 1, -1), [rnd([2, 5])])],
  ['concat', () => weighted([2, 5], (a, b) => concat([a, b], 1), [rnd([2, 2]), rnd([2, 3])])],
  ['stack', () => weighted([2, 2, 3], (a, b) => stack([a, b], 1), [rnd([2, 3]), rnd([2, 3])])],
  ['split', () => check((x) => { const [a, b] = split(x, [1, 3], 1); return add(mul(a, 2), sum(b, 1, true)); }, [rnd([2, 4])])],
  ['index (repeated rows)', () => check((x) => index(x, ints([2, 0, 2, 1], [2, 2])), [rnd([3, 4])])],
  ['gather', () => check((x) => gather(x, 1, ints([0, 2, 1, 1], [2, 2])), [rnd([2, 3])])],
  ['where', () => check((a, b) => where(ints([1, 0, 0, 1, 1, 0], [2, 3]), a, b), [rnd([2, 3]), rnd([3])])],
  ['maskedFill with -Inf, then softmax', () => check((x) => softmax(maskedFill(x, ints([0, 1, 0, 0, 0, 1], [2, 3]), -Infinity)), [rnd([2, 3])])],
  ['crossEntropy mean with ignoreIndex', () => check((z) => crossEntropy(z, ints([1, -100, 3, 0])), [rnd([4, 5], -2, 2)])],
  ['crossEntropy sum over [T, B, C]', () => check((z) => crossEntropy(z, ints([1, 2, 3, 0, 4, 4], [3, 2]), { reduction: 'sum' }), [rnd([3, 2, 5], -2, 2)])],
  ['crossEntropy none', () => check((z) => crossEntropy(z, ints([1, 0, 2]), { reduction: 'none' }), [rnd([3, 4], -2, 2)])],
  ['mse', () => check((p, t) => mse(p, t), [rnd([3, 2]), rnd([3, 2])])],
  ['binaryCrossEntropyWithLogits', () => check((x, y) => binaryCrossEntropyWithLogits(x, y), [rnd([5], -4, 4), rnd([5], 0, 1)])],
];

describe('gradcheck', () => {
  test.each(cases)('%s', (_name, run) => {
    manualSeed(7);
    scope(run);
  });

  test('catches a wrong gradient', () => {
    scope(() => {
      // x ↦ x·x recorded as add(x, x): the tape computes 2, the function is x².
      const x = rnd([3], 0.5, 1);
      const r = gradcheck((t) => mul(t, t), [x]);
      expect(r.ok).toBe(true);
      const wrong = gradcheck((t) => mul(t, t.toFloat32Array()[0] === -999 ? t : tensor(t.toFloat32Array(), t.shape)), [x]);
      expect(wrong.ok).toBe(false);
    });
  });
});

describe('gradcheck on the checked debug build (no out-of-bounds access anywhere)', () => {
  test.each(cases.filter(([name]) => /matmul|crossEntropy|index|softmax|sum|concat/.test(name)))('%s', (_name, run) => {
    const before = getCore();
    useCore(loadCoreSync({ variant: 'debug' }));
    try {
      manualSeed(7);
      scope(run);
    } finally {
      useCore(before);
    }
  });
});

