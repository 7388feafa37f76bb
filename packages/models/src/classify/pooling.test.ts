import { gradcheck, manualSeed, randn, scope, tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { attentionPool, maxPool, meanPool } from './pooling.js';

const lengths = Int32Array.of(4, 2, 1);

describe('pooling over valid steps', () => {
  test('gradcheck of attention pooling: d pooled / d outputs and d pooled / d query, and of its weights', () => {
    manualSeed(5);
    scope(() => {
      const h = randn([4, 3, 3], { requiresGrad: true });
      const q = randn([3], { requiresGrad: true });
      for (const part of ['pooled', 'weights'] as const) {
        const r = gradcheck((hh, qq) => attentionPool(hh, lengths, qq)[part], [h, q]);
        expect(r.mismatches).toEqual([]);
        expect(r.ok).toBe(true);
      }
    });
  });

  test('gradcheck of max and mean pooling', () => {
    manualSeed(6);
    scope(() => {
      const h = randn([4, 3, 3], { requiresGrad: true });
      for (const pool of [maxPool, meanPool]) expect(gradcheck((hh) => pool(hh, lengths), [h]).ok).toBe(true);
    });
  });

  test('attention weights: a softmax of h·q over the valid steps, zero on padding; pooled = Σ α h', () => {
    scope(() => {
      // T = 3, B = 2, F = 2; sequence 1 has one valid step.
      const hv = [1, 0, 0, 1, 2, 5, 7, 7, 0, 2, 9, 9];
      const h = tensor(Float32Array.from(hv), [3, 2, 2]);
      const q = tensor([1, -1], [2]);
      const { pooled, weights } = attentionPool(h, Int32Array.of(3, 1), q);
      // Sequence 0: scores h·q = 1, −3, −2 → softmax.
      const e = [Math.exp(1), Math.exp(-3), Math.exp(-2)];
      const z = e[0] + e[1] + e[2];
      const w = Array.from(weights.toFloat32Array());
      [e[0] / z, e[1] / z, e[2] / z, 1, 0, 0].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
      const p = Array.from(pooled.toFloat32Array());
      expect(p[0]).toBeCloseTo((1 * e[0] + 2 * e[1] + 0 * e[2]) / z, 5);
      expect(p[1]).toBeCloseTo((0 * e[0] + 5 * e[1] + 2 * e[2]) / z, 5);
      expect(p.slice(2)).toEqual([0, 1]); // sequence 1: its only valid step
    });
  });

  test('max and mean ignore padding steps even where they hold larger values', () => {
    scope(() => {
      const h = tensor(Float32Array.of(1, -2, 3, 100), [2, 2, 1]); // step 1 of sequence 1 is padding
      expect(Array.from(maxPool(h, Int32Array.of(2, 1)).toFloat32Array())).toEqual([3, -2]);
      expect(Array.from(meanPool(h, Int32Array.of(2, 1)).toFloat32Array())).toEqual([2, -2]);
    });
  });
});
