import { expect, test } from 'vitest';
import { crossEntropy, manualSeed, randn, ready, scope, tensor } from './index.js';

test('the README example runs and fills w.grad', async () => {
  await ready();
  manualSeed(0);
  const w = randn([16, 4], { requiresGrad: true });
  const x = randn([8, 16]);
  const y = tensor([0, 1, 2, 3, 0, 1, 2, 3], [8], { dtype: 'int32' });
  const loss = scope(() => {
    const l = crossEntropy(x.matmul(w).tanh(), y);
    l.backward();
    return l.item();
  });
  expect(Number.isFinite(loss)).toBe(true);
  expect(w.grad!.shape).toEqual([16, 4]);
  expect(w.grad!.toFloat32Array().some((v) => v !== 0)).toBe(true);
  w.dispose();
  x.dispose();
  y.dispose();
});
