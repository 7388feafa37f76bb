import { expect, test } from 'vitest';
import { attention, concat, gradcheck, manualSeed, matmul, rand, tensor, where, type Tensor } from '../index.js';

// The fused attention step: gradcheck of every input (dot and given scores, with padding), and
// equality with the same step composed from matmul, where and softmax.

function rnd(shape: number[], grad = true): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => 2 * u - 1), shape, { requiresGrad: grad });
}

const lengths = () => tensor([3, 1, 2], [3], { dtype: 'int32' });
const both = (r: { weights: Tensor; context: Tensor }) => concat([r.weights, r.context], 1);

test('gradcheck: query, projected keys and keys (dot scores), with padding', () => {
  manualSeed(3);
  const r = gradcheck((k, q, p) => both(attention(k, { query: q, projected: p }, lengths())), [rnd([3, 3, 4]), rnd([3, 5]), rnd([3, 3, 5])]);
  expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
});

test('gradcheck: given scores and keys, without lengths', () => {
  manualSeed(4);
  const r = gradcheck((k, e) => both(attention(k, e)), [rnd([4, 2, 3]), rnd([4, 2])]);
  expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
});

test('equals matmul + masked softmax + matmul, forward and every gradient; padding gets weight 0', () => {
  manualSeed(5);
  const [S, B, P, Hk] = [3, 3, 4, 5];
  const keys = rnd([S, B, Hk]), q = rnd([B, P]), proj = rnd([S, B, P]);
  const fused = attention(keys, { query: q, projected: proj }, lengths());
  const mask = tensor([1, 1, 1, 1, 0, 0, 1, 1, 0], [B, S]);
  const e = matmul(proj.transpose(0, 1), q.reshape([B, P, 1])).reshape([B, S]);
  const weights = where(mask, e, -Infinity).softmax(-1);
  const context = matmul(weights.reshape([B, 1, S]), keys.transpose(0, 1)).reshape([B, Hk]);
  const w = fused.weights.toFloat32Array();
  expect([w[S + 1], w[S + 2], w[2 * S + 2]]).toEqual([0, 0, 0]);
  for (const [a, b] of [[fused.weights, weights], [fused.context, context]]) {
    const x = a.toFloat32Array(), y = b.toFloat32Array();
    x.forEach((v, i) => expect(v).toBeCloseTo(y[i], 5));
  }
  const grads = (r: { weights: Tensor; context: Tensor }) => {
    for (const t of [keys, q, proj]) t.grad = null;
    both(r).mul(tensor(Float32Array.from({ length: B * (S + Hk) }, (_, i) => Math.sin(i)), [B, S + Hk])).sum().backward();
    return [keys, q, proj].map((t) => t.grad!.toFloat32Array());
  };
  const want = grads({ weights, context });
  const got = grads(attention(keys, { query: q, projected: proj }, lengths()));
  got.forEach((g, j) => g.forEach((v, i) => expect(v).toBeCloseTo(want[j][i], 5)));
});

test('refuses mismatched shapes and lengths outside [1, S] by name', () => {
  const keys = rnd([2, 3, 4]);
  expect(() => attention(keys, { query: rnd([2, 4]), projected: rnd([2, 3, 4]) })).toThrow(/query must be float32 \[B = 3, P\]/);
  expect(() => attention(keys, rnd([3, 2]))).toThrow(/scores must be float32 \[S, B\] = \[2, 3\]/);
  expect(() => attention(keys, rnd([2, 3]), tensor([1, 3, 2], [3], { dtype: 'int32' }))).toThrow(/lengths\[1\] must be in \[1, s = 2\], got 3/);
});
