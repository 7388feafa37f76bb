import { describe, expect, it } from 'vitest';
import { gemmInt8, int8RowStride, loadCore, quantizeInt8, INT8_MAX_K, type Core } from '../src/index.node.js';
import { core, expectEddyError, rng, uniform, VARIANTS } from './cores.js';

// Odd sizes around the 16-lane int8 vector and the 4-row block, a zero row and one huge value.
const SHAPES: Array<[m: number, n: number, k: number]> = [[1, 1, 1], [1, 5, 15], [1, 7, 16], [2, 9, 17], [3, 13, 33], [1, 64, 129], [5, 4, 48], [4, 31, 255]];

/** Quantizes a rows×cols matrix (simd or scalar) and reads back the int8 rows (padding included) and the scales. */
function quantize(c: Core, x: Float32Array, rows: number, cols: number, impl: 'simd' | 'scalar') {
  const stride = int8RowStride(c, cols);
  const px = c.arena.fromF32(x), q = c.arena.alloc(rows * stride), scales = c.arena.allocF32(rows);
  quantizeInt8(c, { rows, cols, x: px, q, scales }, impl);
  return {
    q: new Int8Array(c.arena.u8.slice(q, q + rows * stride).buffer), scales: c.arena.readF32(scales, rows), stride, qPtr: q, sPtr: scales,
  };
}

function data(seed: number, n: number): Float32Array {
  const x = uniform(rng(seed), n, -2, 2);
  if (n > 3) x[3] = 40; // one outlier sets its row's scale
  return x;
}

describe.each(VARIANTS)('int8 quantization (%s build)', (variant) => {
  const c = core(variant);

  for (const [, rows, cols] of SHAPES) {
    it(`rows=${rows} cols=${cols}: |w − q·s| ≤ s/2, s = max|w|/127, q in [−127, 127], padding zero; SIMD = scalar bit for bit`, () => {
      c.arena.scope(() => {
        const x = data(rows * 31 + cols, rows * cols);
        if (rows > 2) x.fill(0, cols, 2 * cols); // a row of zeros: scale 0
        const simd = quantize(c, x, rows, cols, 'simd');
        const scalar = quantize(c, x, rows, cols, 'scalar');
        expect(simd.q).toEqual(scalar.q);
        expect(simd.scales).toEqual(scalar.scales);
        const bad: string[] = []; // one expect at the end: thousands of expects cost seconds
        for (let r = 0; r < rows; r++) {
          const row = x.subarray(r * cols, (r + 1) * cols);
          const s = simd.scales[r];
          if (s !== Math.fround(Math.max(...row.map(Math.abs)) / 127)) bad.push(`scale ${r}: ${s}`);
          for (let j = 0; j < simd.stride; j++) {
            const q = simd.q[r * simd.stride + j];
            // Past the last column: zero padding. Else half an int8 step, with room for the rounding of x / s.
            if (j >= cols ? q !== 0 : Math.abs(q) > 127 || Math.abs(row[j] - q * s) > (s / 2) * (1 + 1e-6)) bad.push(`[${r}, ${j}]: ${row[j]} → ${q}·${s}`);
          }
        }
        expect(bad).toEqual([]);
      });
    });
  }

  it('rounds half to even: 0.5·s → 0, 1.5·s → 2, 2.5·s → 2, −2.5·s → −2', () => {
    c.arena.scope(() => {
      const x = Float32Array.of(127, 0.5, 1.5, 2.5, -2.5, -127, 3.5, 0);
      for (const impl of ['simd', 'scalar'] as const) {
        expect(Array.from(quantize(c, x, 1, x.length, impl).q.subarray(0, 8))).toEqual([127, 0, 2, 2, -2, -127, 4, 0]);
      }
    });
  });

  it('a NaN makes its row NaN in the product (no trap), in both twins', () => {
    c.arena.scope(() => {
      const w = Float32Array.of(1, NaN, 2, 3, 4, 5);
      for (const impl of ['simd', 'scalar'] as const) {
        const { qPtr, sPtr } = quantize(c, w, 2, 3, impl);
        const a = c.arena.fromF32([1, 1, 1]), out = c.arena.allocF32(2);
        gemmInt8(c, { m: 1, n: 2, k: 3, a, q: qPtr, scales: sPtr, c: out }, impl);
        const y = c.arena.readF32(out, 2);
        expect(y[0]).toBeNaN();
        expect(y[1]).toBeCloseTo(12, 1);
      }
    });
  });

  for (const [m, n, k] of SHAPES) {
    it(`gemmInt8 m=${m} n=${n} k=${k}: SIMD = scalar bit for bit; within the quantization bound of the float product`, () => {
      c.arena.scope(() => {
        const w = data(n * 7 + k, n * k);
        const a = uniform(rng(m * 13 + k), m * k, -1, 1);
        const bias = uniform(rng(n + 5), n, -1, 1);
        const { qPtr, sPtr, scales } = quantize(c, w, n, k, 'simd');
        const pa = c.arena.fromF32(a), pb = c.arena.fromF32(bias);
        const start = uniform(rng(3), m * n, -1, 1);
        const results = (['simd', 'scalar'] as const).map((impl) => {
          const out = c.arena.fromF32(start);
          gemmInt8(c, { m, n, k, a: pa, q: qPtr, scales: sPtr, bias: pb, accumulate: true, c: out }, impl);
          return c.arena.readF32(out, m * n);
        });
        expect(results[0]).toEqual(results[1]);
        let worst = 0;
        for (let i = 0; i < m; i++) {
          const ai = a.subarray(i * k, (i + 1) * k);
          const sa = Math.max(...ai.map(Math.abs)) / 127;
          const l1a = ai.reduce((s, v) => s + Math.abs(v), 0);
          for (let j = 0; j < n; j++) {
            const wj = w.subarray(j * k, (j + 1) * k);
            let exact = start[i * n + j] + bias[j];
            for (let p = 0; p < k; p++) exact += ai[p] * wj[p];
            const l1w = wj.reduce((s, v) => s + Math.abs(v), 0);
            // Each factor is off by at most half its step: |Δ| ≤ ½(sa‖w‖₁ + sw‖a‖₁) + ¼k·sa·sw, plus float32 rounding.
            const bound = 0.5 * (sa * l1w + scales[j] * l1a) + 0.25 * k * sa * scales[j] + 1e-5 * (1 + Math.abs(exact));
            worst = Math.max(worst, Math.abs(results[0][i * n + j] - exact) / bound);
          }
        }
        expect(worst).toBeLessThanOrEqual(1);
      });
    });
  }

  it('overwrites C without reading it (NaN in C stays out) and takes row strides', () => {
    c.arena.scope(() => {
      const m = 2, n = 3, k = 5, lda = 7, ldc = 4;
      const w = data(1, n * k);
      const { qPtr, sPtr } = quantize(c, w, n, k, 'simd');
      const a = uniform(rng(2), m * lda, -1, 1);
      const pa = c.arena.fromF32(a);
      const runs = (['simd', 'scalar'] as const).map((impl) => {
        const out = c.arena.fromF32(new Float32Array(m * ldc).fill(NaN));
        gemmInt8(c, { m, n, k, a: pa, lda, q: qPtr, scales: sPtr, c: out, ldc }, impl);
        return c.arena.readF32(out, m * ldc);
      });
      expect(runs[0]).toEqual(runs[1]);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) expect(Number.isFinite(runs[0][i * ldc + j])).toBe(true);
        expect(runs[0][i * ldc + 3]).toBeNaN(); // the gap past n is not written
      }
    });
  });
});

describe('int8 kernels in every build', () => {
  it('plain, relaxed, debug and the threads build (2 threads) give the same bits', async () => {
    const threaded = await loadCore({ variant: 'simd', threads: 2 });
    try {
      const [m, n, k] = [3, 37, 131];
      const w = data(11, n * k), a = uniform(rng(12), m * k, -3, 3);
      const results = [...VARIANTS.map((v) => core(v)), threaded].map((c) => c.arena.scope(() => {
        const { qPtr, sPtr } = quantize(c, w, n, k, 'simd');
        const pa = c.arena.fromF32(a), out = c.arena.allocF32(m * n);
        gemmInt8(c, { m, n, k, a: pa, q: qPtr, scales: sPtr, c: out });
        return c.arena.readF32(out, m * n);
      }));
      expect(threaded.threads).toBe(2);
      for (const r of results.slice(1)) expect(r).toEqual(results[0]);
    } finally {
      threaded.close();
    }
  });
});

describe('int8 kernels: arguments', () => {
  const c = core('simd');
  it('refuse an unknown argument, k past INT8_MAX_K, and C overlapping A', () => {
    c.arena.scope(() => {
      const x = c.arena.allocF32(16), q = c.arena.alloc(32), s = c.arena.allocF32(2);
      expectEddyError(() => quantizeInt8(c, { rows: 2, cols: 8, x, q, scales: s, ld: 8 } as never), 'E_ARGUMENT', /ld/);
      expectEddyError(() => gemmInt8(c, { m: 1, n: 1, k: INT8_MAX_K + 1, a: x, q, scales: s, c: x }), 'E_ARGUMENT', /k must be at most 131072/);
      quantizeInt8(c, { rows: 2, cols: 8, x, q, scales: s });
      expectEddyError(() => gemmInt8(c, { m: 1, n: 2, k: 8, a: x, q, scales: s, c: x }), 'E_POINTER', /c must not overlap a/);
    });
  });
});
