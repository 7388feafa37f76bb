import { describe, expect, it } from 'vitest';
import { linear, linearInt8, manualSeed, noGrad, quantizeInt8, randn, scope } from '../index.js';

const code = (c: string) => expect.objectContaining({ name: 'EddyError', code: c });

describe('int8 weights', () => {
  it('dequantize is within half a step of every weight: |W − q·s| ≤ s/2, s = max|W_r|/127', () => {
    scope(() => {
      manualSeed(1);
      const w = randn([37, 53]);
      const q = quantizeInt8(w);
      const wv = w.toFloat32Array(), dv = q.dequantize().toFloat32Array();
      let worst = 0;
      for (let r = 0; r < 37; r++) {
        const row = wv.subarray(r * 53, (r + 1) * 53);
        const s = Math.max(...row.map(Math.abs)) / 127;
        for (let c = 0; c < 53; c++) worst = Math.max(worst, Math.abs(row[c] - dv[r * 53 + c]) / (s / 2));
      }
      expect(worst).toBeGreaterThan(0.5); // it does round
      expect(worst).toBeLessThanOrEqual(1 + 1e-5);
      q.dispose();
    });
  });

  it('linearInt8 is close to linear (relative error of a few 1/127 steps) and keeps leading dimensions', () => {
    scope(() => {
      manualSeed(2);
      const x = randn([2, 3, 64]), w = randn([40, 64]), b = randn([40]);
      const q = quantizeInt8(w);
      const y = linearInt8(x, q, b), ref = linear(x, w, b);
      expect(y.shape).toEqual([2, 3, 40]);
      const yv = y.toFloat32Array(), rv = ref.toFloat32Array();
      let err = 0, norm = 0;
      for (let i = 0; i < yv.length; i++) {
        err = Math.max(err, Math.abs(yv[i] - rv[i]));
        norm = Math.max(norm, Math.abs(rv[i]));
      }
      expect(err).toBeGreaterThan(0);
      expect(err / norm).toBeLessThan(0.03);
      q.dispose();
    });
  });

  it('refuses an x that requires grad while recording (E_GRAD), a wrong width (E_SHAPE) and a disposed weight (E_SCOPE)', () => {
    scope(() => {
      const w = randn([4, 8]);
      const q = quantizeInt8(w);
      const x = randn([2, 8], { requiresGrad: true });
      expect(() => linearInt8(x, q)).toThrow(code('E_GRAD'));
      expect(noGrad(() => linearInt8(x, q)).shape).toEqual([2, 4]);
      expect(() => linearInt8(randn([2, 7]), q)).toThrow(code('E_SHAPE'));
      q.dispose();
      expect(() => linearInt8(randn([2, 8]), q)).toThrow(code('E_SCOPE'));
    });
  });
});
