import { describe, expect, it } from 'vitest';
import { EddyError, packB, sgemm, sgemmPacked, type Core } from '../src/index.node.js';
import { core, rng, uniform, VARIANTS } from './cores.js';
import { buildOf, exportName, kernelFor } from '../src/dispatch.js';

// The SIMD kernel packs k in slices of KC = 512 (assembly/gemm/sgemm.ts), op(A) in blocks of
// MC = 128 rows and op(B) in blocks of NC = 1024 columns, into 4×8 tiles; m = 1 takes GEMV paths
// (32, 8 and single columns for NN; 4-column dot products for NT; 4 panels or 1 over packed B).
const KC = 512;

/** float64 reference: C = α·op(A)·op(B) + β·C, and the magnitude |α|·Σ|a·b| + |β·c| per element. */
function gemm64(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number) {
  const out = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const t = a[tA ? p * lda + i : i * lda + p] * b[tB ? j * ldb + p : p * ldb + j];
        acc += t;
        abs += Math.abs(t);
      }
      const bc = beta === 0 ? 0 : beta * c[i * ldc + j];
      out[i * n + j] = alpha * acc + bc;
      mag[i * n + j] = Math.abs(alpha) * abs + Math.abs(bc);
    }
  }
  return { out, mag };
}

/**
 * Worst |got − want| relative to the float32 error bound (k + 2)·u·(|α|·Σ|a·b| + |β·c|) of any
 * summation order (Higham, Accuracy and Stability, §3.1): ≤ 1 is a correct product. A dropped or
 * doubled term of a typical size is far outside it. NaN must match NaN.
 */
function errorRatio(got: Float32Array, want: Float64Array, mag: Float64Array, k: number): number {
  const u = 2 ** -24;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(got[i]) || Number.isNaN(want[i])) {
      if (Number.isNaN(got[i]) !== Number.isNaN(want[i])) return Infinity;
      continue;
    }
    if (got[i] === want[i]) continue; // also equal infinities
    const err = Math.abs(got[i] - want[i]);
    worst = Math.max(worst, err / ((k + 2) * u * mag[i] + 1e-30));
  }
  return worst;
}

/** The smallest prime ≥ x: row strides that share no factor with the tile sizes. */
function primeAtLeast(x: number): number {
  for (let p = Math.max(x, 2); ; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (prime) return p;
  }
}

const SENTINEL = -7.5;
const GUARD = 9;

/** Copies `data` into the arena at an offset that is 4- but not 16-byte aligned. */
function placeUnaligned(c0: Core, data: Float32Array): number {
  const ptr = c0.arena.allocF32(data.length + 1) + 4;
  c0.arena.f32.set(data, ptr >>> 2);
  return ptr;
}

type Mode = 'sgemm' | 'packed';
interface Case {
  mode: Mode; impl: 'simd' | 'scalar'; tA: boolean; tB: boolean;
  m: number; n: number; k: number; alpha: number; beta: number; range?: number; poison?: boolean;
}

/**
 * Runs one product with C inside guard cells and row padding (ldc > n) all set to SENTINEL, and C
 * itself NaN when β = 0; checks the result against the float64 reference and that nothing but
 * C[0:m, 0:n] changed.
 */
function check(c0: Core, t: Case): void {
  const { mode, impl, tA, tB, m, n, k, alpha, beta } = t;
  const random = rng(m * 7919 + n * 104729 + k * 31 + (tA ? 1 : 0) + (tB ? 2 : 0));
  const range = t.range ?? 1;
  const [aRows, aCols] = tA ? [k, m] : [m, k];
  const [bRows, bCols] = tB ? [n, k] : [k, n];
  const lda = primeAtLeast(aCols + 1);
  const ldb = primeAtLeast(bCols);
  const ldc = primeAtLeast(n + 2);
  const a = uniform(random, aRows * lda, -range, range);
  const b = uniform(random, bRows * ldb, -range, range);
  if (t.poison) {
    // One NaN in A and one ∞ in B: they must reach exactly the outputs they belong to.
    a[tA ? 1 * lda + (m - 1) : (m - 1) * lda + 1] = NaN;
    b[tB ? 0 * ldb + (k - 1) : (k - 1) * ldb + 0] = Infinity;
  }
  const cBox = new Float32Array(2 * GUARD + m * ldc).fill(SENTINEL);
  const cInit = new Float32Array(m * ldc);
  const cRandom = uniform(random, m * ldc, -range, range);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = beta === 0 ? NaN : cRandom[i * ldc + j];
      cInit[i * ldc + j] = v;
      cBox[GUARD + i * ldc + j] = v;
    }
  }
  const { out: want, mag } = gemm64(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cInit, ldc);
  c0.arena.scope(() => {
    const pa = placeUnaligned(c0, a);
    const pb = placeUnaligned(c0, b);
    const box = placeUnaligned(c0, cBox);
    const pc = box + GUARD * 4;
    if (mode === 'sgemm') {
      sgemm(c0, { transA: tA, transB: tB, m, n, k, alpha, a: pa, lda, b: pb, ldb, beta, c: pc, ldc }, impl);
    } else {
      const packed = packB(c0, { transB: tB, n, k, b: pb, ldb });
      sgemmPacked(c0, { transA: tA, m, n, k, alpha, a: pa, lda, packed, beta, c: pc, ldc }, impl);
    }
    const got = c0.arena.readF32(box, cBox.length);
    const gotC = new Float32Array(m * n);
    let touched = 0;
    for (let x = 0; x < got.length; x++) {
      const r = x - GUARD;
      const inC = r >= 0 && r < m * ldc && r % ldc < n;
      if (inC) gotC[Math.floor(r / ldc) * n + (r % ldc)] = got[x];
      else if (got[x] !== SENTINEL) touched++;
    }
    expect(touched, 'cells outside C (guards, row padding) changed').toBe(0);
    expect(errorRatio(gotC, want, mag, k)).toBeLessThanOrEqual(1);
  });
}

const shapes: Array<[number, number, number]> = [
  // m tails around the 4-row tile
  ...[2, 3, 4, 5, 7, 8, 9, 31, 33].map((m): [number, number, number] => [m, 9, 5]),
  // n tails around the 8-column tile (and the 32-column GEMV block)
  ...[1, 3, 4, 5, 7, 8, 9, 31, 32, 33, 65].map((n): [number, number, number] => [5, n, 7]),
  // k below, at and above the KC slice (and several slices)
  ...[1, 2, 3, 4, 13, KC - 1, KC, KC + 1, 2 * KC + 1].map((k): [number, number, number] => [6, 11, k]),
  // m = 1 (GEMV paths): column tails, k tails of the 4-wide dot products, k above KC
  [1, 1, 1], [1, 3, 4], [1, 8, 2], [1, 33, 5], [1, 65, 17], [1, 100, 3], [1, 40, KC + 3],
  // more than one MC block of rows, more than one NC block of columns
  [129, 31, 130], [3, 1025, 9], [130, 17, KC + 3],
];
const alphaBeta: Array<[number, number]> = [[1, 0], [0.75, 0.5], [-1.25, 1], [2, -1], [0.5, 0]];
const transposes = [[false, false], [false, true], [true, false], [true, true]] as const;

function tag(tA: boolean, tB: boolean): string {
  return `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
}

describe.each(VARIANTS)('sgemm and sgemmPacked (%s build)', (variant) => {
  for (const mode of ['sgemm', 'packed'] as const) {
    for (const impl of ['simd', 'scalar'] as const) {
      describe(`${mode} ${impl}`, () => {
        shapes.forEach(([m, n, k], s) => {
          for (const [tA, tB] of transposes) {
            const [alpha, beta] = alphaBeta[(s + (tA ? 1 : 0) + (tB ? 2 : 0)) % alphaBeta.length];
            it(`${tag(tA, tB)} m=${m} n=${n} k=${k} α=${alpha} β=${beta}`, () => {
              check(core(variant), { mode, impl, tA, tB, m, n, k, alpha, beta });
            });
          }
        });

        it('every α/β combination on edge tiles, including α = 0 and β = 0 with NaN in C', () => {
          for (const [alpha, beta] of [...alphaBeta, [0, 0.5], [0, 0], [-3, 0]] as Array<[number, number]>) {
            for (const [tA, tB] of transposes) check(core(variant), { mode, impl, tA, tB, m: 7, n: 13, k: 9, alpha, beta });
          }
        });

        it('extreme inputs (±100, a NaN in A, ∞ in B) land only where they belong', () => {
          for (const [m, n, k] of [[1, 37, 9], [5, 9, 7], [9, 17, KC + 2]] as const) {
            for (const [tA, tB] of transposes) {
              check(core(variant), { mode, impl, tA, tB, m, n, k, alpha: 0.5, beta: 0.25, range: 100, poison: true });
              check(core(variant), { mode, impl, tA, tB, m, n, k, alpha: 1, beta: 0, range: 100 });
            }
          }
        });

        it('k = 0 gives C = β·C, and never reads C when β = 0', () => {
          const c0 = core(variant);
          c0.arena.scope(() => {
            const m = 5, n = 9;
            const base = c0.arena.base;
            for (const beta of [0, 0.5]) {
              const init = beta === 0 ? new Float32Array(m * n).fill(NaN) : uniform(rng(3), m * n);
              const pc = c0.arena.fromF32(init);
              if (mode === 'sgemm') sgemm(c0, { m, n, k: 0, a: base, b: base, beta, c: pc }, impl);
              else sgemmPacked(c0, { m, n, k: 0, a: base, packed: packB(c0, { n, k: 0, b: base }), beta, c: pc }, impl);
              expect(Array.from(c0.arena.readF32(pc, m * n))).toEqual(Array.from(init, (v) => (beta === 0 ? 0 : Math.fround(beta * v))));
            }
          });
        });
      });
    }
  }

  it('one packed B serves many left operands (the recurrent weight at every time step)', () => {
    const c0 = core(variant);
    c0.arena.scope(() => {
      const n = 37, k = 19;
      const b = uniform(rng(11), n * k);
      const packed = packB(c0, { transB: true, n, k, b: c0.arena.fromF32(b) });
      for (const m of [1, 4, 6]) {
        const a = uniform(rng(m), m * k);
        const pc = c0.arena.allocF32(m * n);
        sgemmPacked(c0, { m, n, k, a: c0.arena.fromF32(a), packed, c: pc });
        const { out, mag } = gemm64(false, true, m, n, k, 1, a, k, b, k, 0, new Float32Array(0), n);
        expect(errorRatio(c0.arena.readF32(pc, m * n), out, mag, k)).toBeLessThanOrEqual(1);
      }
    });
  });

  it('the raw kernels stay inside their workspace and the packer inside its output', () => {
    const c0 = core(variant);
    const x = c0.exports;
    c0.arena.scope(() => {
      const guarded = (bytes: number) => {
        const ptr = c0.arena.alloc(bytes + 64);
        c0.arena.f32.fill(SENTINEL, ptr >>> 2, (ptr + bytes + 64) >>> 2);
        return { ptr, intact: () => c0.arena.readF32(ptr + bytes, 16).every((v) => v === SENTINEL) };
      };
      for (const [m, n, k] of [[1, 33, 5], [5, 9, 7], [9, 1030, KC + 5], [131, 20, 3]]) {
        const a = c0.arena.fromF32(uniform(rng(m), m * k));
        const b = c0.arena.fromF32(uniform(rng(n), k * n));
        const c = c0.arena.allocF32(m * n);
        for (const tB of [0, 1]) {
          const work = guarded(x.f32_gemm_workspace_bytes(m, n, k));
          kernelFor(c0, 'gemm', 'simd')(0, tB, m, n, k, 1, a, k, b, tB ? k : n, 0, c, n, work.ptr);
          expect(work.intact(), `${exportName('gemm', buildOf(c0), 'simd')} m=${m} n=${n} k=${k}`).toBe(true);
          const packed = guarded(x.f32_gemm_packed_b_bytes(n, k));
          x.f32_gemm_pack_b(tB, n, k, b, tB ? k : n, packed.ptr);
          expect(packed.intact(), `f32_gemm_pack_b n=${n} k=${k}`).toBe(true);
          const work2 = guarded(x.f32_gemm_packed_b_workspace_bytes(m, k));
          kernelFor(c0, 'gemm_packed_b', 'simd')(0, m, n, k, 1, a, k, packed.ptr, 0, c, n, work2.ptr);
          expect(work2.intact(), `${exportName('gemm_packed_b', buildOf(c0), 'simd')} m=${m} n=${n} k=${k}`).toBe(true);
        }
      }
    });
  });
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
  it('rejects a transpose flag that is not a boolean, and an unknown impl', () => {
    const base = c0.arena.base;
    expect(() => sgemm(c0, { transB: 1 as unknown as boolean, m: 1, n: 1, k: 1, a: base, b: base, c: base })).toThrow(
      expect.objectContaining({ code: 'E_ARGUMENT', message: 'sgemm: transB must be a boolean, got 1' }),
    );
    expect(() => sgemm(c0, { m: 1, n: 1, k: 1, a: base, b: base, c: base }, 'fast' as 'simd')).toThrow(/sgemm: impl must be 'simd' or 'scalar', got "fast"/);
  });
  it('checks ldb against the stored shape of B (n×k when transposed)', () => {
    const base = c0.arena.base;
    expect(() => sgemm(c0, { transB: true, m: 2, n: 3, k: 5, ldb: 4, a: base, b: base, c: base })).toThrow(/sgemm: ldb must be an integer >= 5 \(the row length\), got 4/);
  });
});

describe('packB and sgemmPacked input checks', () => {
  const c0 = core();
  const base = c0.arena.base;
  it('packB validates its sizes, stride and B', () => {
    expect(() => packB(c0, { n: 2.5, k: 3, b: base })).toThrow(
      expect.objectContaining({ code: 'E_ARGUMENT', message: 'packB: n must be an integer >= 0, got 2.5' }),
    );
    expect(() => packB(c0, { transB: true, n: 4, k: 6, ldb: 5, b: base })).toThrow(/packB: ldb must be an integer >= 6/);
    expect(() => packB(c0, { n: 4, k: 4, b: c0.memory.buffer.byteLength - 8 })).toThrow(
      expect.objectContaining({ code: 'E_POINTER', message: expect.stringContaining('packB: b spans bytes') }),
    );
    expect(() => packB(c0, { transB: 'yes' as unknown as boolean, n: 1, k: 1, b: base })).toThrow(/packB: transB must be a boolean, got "yes"/);
  });
  it('sgemmPacked rejects a packed operand of another shape with E_SHAPE', () => {
    c0.arena.scope(() => {
      const packed = packB(c0, { n: 8, k: 4, b: c0.arena.zerosF32(32) });
      const c = c0.arena.zerosF32(64);
      expect(() => sgemmPacked(c0, { m: 2, n: 8, k: 5, a: c, packed, c })).toThrow(
        expect.objectContaining({ code: 'E_SHAPE', message: 'sgemmPacked: packed holds a 4×8 op(B) but the product needs k×n = 5×8' }),
      );
      expect(() => sgemmPacked(c0, { m: 2, n: 7, k: 4, a: c, packed, c })).toThrow(/E_SHAPE|packed holds a 4×8/);
    });
  });
  it('sgemmPacked rejects a missing or out-of-memory packed operand, and bad A, C, α, β', () => {
    c0.arena.scope(() => {
      const c = c0.arena.zerosF32(64);
      expect(() => sgemmPacked(c0, { m: 1, n: 1, k: 1, a: c, packed: undefined as never, c })).toThrow(
        expect.objectContaining({ code: 'E_ARGUMENT', message: 'sgemmPacked: packed must be the result of packB, got undefined' }),
      );
      const far = { ptr: c0.memory.buffer.byteLength - 16, n: 8, k: 8 };
      expect(() => sgemmPacked(c0, { m: 1, n: 8, k: 8, a: c, packed: far, c })).toThrow(
        expect.objectContaining({ code: 'E_POINTER', message: expect.stringContaining('sgemmPacked: packed.ptr spans bytes') }),
      );
      const packed = packB(c0, { n: 4, k: 4, b: c });
      expect(() => sgemmPacked(c0, { m: 2, n: 4, k: 4, a: c, lda: 3, packed, c })).toThrow(/sgemmPacked: lda must be an integer >= 4/);
      expect(() => sgemmPacked(c0, { m: 2, n: 4, k: 4, a: c, packed, c, ldc: 2 })).toThrow(/sgemmPacked: ldc must be an integer >= 4/);
      expect(() => sgemmPacked(c0, { m: 2, n: 4, k: 4, a: c + 1, packed, c })).toThrow(/sgemmPacked: a must be 4-byte aligned/);
      expect(() => sgemmPacked(c0, { m: 2, n: 4, k: 4, a: c, packed, c, beta: Infinity })).toThrow(/sgemmPacked: beta must be a finite number, got Infinity/);
      expect(() => sgemmPacked(c0, { m: 2, n: 4, k: 4, a: c, packed, c }, 'gpu' as 'simd')).toThrow(/sgemmPacked: impl must be 'simd' or 'scalar'/);
    });
  });
});
