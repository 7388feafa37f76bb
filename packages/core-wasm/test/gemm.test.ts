import { describe, expect, it } from 'vitest';
import { EddyError, sgemm } from '../src/index.node.js';
import { closeness, core, rng, uniform, VARIANTS } from './cores.js';

/** float64 reference: C = α·op(A)·op(B) + β·C. */
function gemm64(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += a[tA ? p * lda + i : i * lda + p] * b[tB ? j * ldb + p : p * ldb + j];
      out[i * n + j] = alpha * acc + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
  return out;
}

const shapes: Array<[number, number, number]> = [
  [1, 1, 1], [4, 8, 1], [5, 9, 3], [17, 13, 29], [33, 65, 7], [64, 64, 64], [3, 100, 257], [129, 31, 130],
];

describe.each(VARIANTS)('sgemm (%s build)', (variant) => {
  for (const impl of ['simd', 'scalar'] as const) {
    for (const [m, n, k] of shapes) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        it(`${impl} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} m=${m} n=${n} k=${k}`, () => {
          const c0 = core(variant);
          const random = rng(m * 1000 + n * 10 + k);
          const lda = (tA ? m : k) + 3;
          const ldb = (tB ? k : n) + 1;
          const ldc = n + 5;
          const a = uniform(random, (tA ? k : m) * lda);
          const b = uniform(random, (tB ? n : k) * ldb);
          const c = uniform(random, m * ldc);
          const alpha = 0.75;
          const beta = impl === 'simd' ? 0.5 : -1.25;
          const want = gemm64(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          c0.arena.scope(() => {
            const pa = c0.arena.fromF32(a);
            const pb = c0.arena.fromF32(b);
            const pc = c0.arena.fromF32(c);
            sgemm(c0, { transA: tA, transB: tB, m, n, k, alpha, a: pa, lda, b: pb, ldb, beta, c: pc, ldc }, impl);
            const got = c0.arena.readF32(pc, m * ldc);
            const gotC = new Float32Array(m * n);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) gotC[i * n + j] = got[i * ldc + j];
              // Padding between rows is never written.
              for (let j = n; j < ldc && i < m - 1; j++) expect(got[i * ldc + j]).toBe(c[i * ldc + j]);
            }
            expect(closeness(gotC, want, 1e-5 * Math.sqrt(k), 1e-5)).toBeLessThanOrEqual(1);
          });
        });
      }
    }
    it(`${impl}: beta = 0 overwrites C without reading it (NaN in C stays out)`, () => {
      const c0 = core(variant);
      c0.arena.scope(() => {
        const m = 7, n = 11, k = 5;
        const pa = c0.arena.fromF32(uniform(rng(1), m * k));
        const pb = c0.arena.fromF32(uniform(rng(2), k * n));
        const pc = c0.arena.fromF32(new Float32Array(m * n).fill(NaN));
        sgemm(c0, { m, n, k, a: pa, b: pb, c: pc }, impl);
        expect(c0.arena.readF32(pc, m * n).every(Number.isFinite)).toBe(true);
      });
    });
  }
});

describe('sgemm input checks', () => {
  const c0 = core();
  it('rejects a negative size with E_ARGUMENT naming it', () => {
    expect(() => sgemm(c0, { m: -1, n: 2, k: 2, a: c0.arena.base, b: c0.arena.base, c: c0.arena.base })).toThrow(
      expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringContaining('m must be an integer') }),
    );
  });
  it('rejects a stride shorter than the row', () => {
    expect(() => sgemm(c0, { m: 2, n: 4, k: 3, lda: 2, a: c0.arena.base, b: c0.arena.base, c: c0.arena.base })).toThrow(/lda must be an integer >= 3/);
  });
  it('rejects a matrix that runs past the end of memory', () => {
    const end = c0.memory.buffer.byteLength;
    let err: unknown;
    try {
      sgemm(c0, { m: 4, n: 4, k: 4, a: c0.arena.base, b: c0.arena.base, c: end - 16 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe('E_POINTER');
    expect((err as EddyError).message).toMatch(/c spans bytes/);
  });
  it('rejects a misaligned pointer and one below the arena', () => {
    expect(() => sgemm(c0, { m: 1, n: 1, k: 1, a: c0.arena.base + 2, b: c0.arena.base, c: c0.arena.base })).toThrow(/a must be 4-byte aligned/);
    expect(() => sgemm(c0, { m: 1, n: 1, k: 1, a: 0, b: c0.arena.base, c: c0.arena.base })).toThrow(/below the arena/);
  });
  it('rejects a non-finite alpha', () => {
    expect(() => sgemm(c0, { m: 1, n: 1, k: 1, alpha: NaN, a: c0.arena.base, b: c0.arena.base, c: c0.arena.base })).toThrow(/alpha must be a finite number, got NaN/);
  });
});
