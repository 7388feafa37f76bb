import { describe, expect, it } from 'vitest';
import { embeddingGather, embeddingScatterAdd } from '../src/index.node.js';
import { core, rng, uniform, expectEddyError, VARIANTS } from './cores.js';

// Widths below, at and above the 4-lane vector, with tails; ids with repeats, 0 and V − 1.
const SHAPES: Array<[n: number, v: number, d: number]> = [[1, 1, 1], [5, 3, 3], [7, 11, 4], [9, 2, 5], [13, 17, 8], [4, 50, 33], [0, 3, 4], [3, 5, 0]];

function idsFor(n: number, v: number, seed: number): Int32Array {
  const random = rng(seed);
  const ids = Int32Array.from({ length: n }, () => Math.floor(random() * v));
  if (n > 1) {
    ids[0] = v - 1;
    ids[n - 1] = ids[0]; // a repeated id
  }
  return ids;
}

describe.each(VARIANTS)('embedding (%s build)', (variant) => {
  const c = core(variant);
  for (const impl of ['simd', 'scalar'] as const) {
    for (const [n, v, d] of SHAPES) {
      it(`${impl} gather n=${n} V=${v} D=${d}: copies rows exactly (NaN and −0 bits included)`, () => {
        const table = uniform(rng(n + v + d), v * d, -100, 100);
        if (table.length > 2) {
          table[1] = NaN;
          table[2] = -0;
        }
        const ids = idsFor(n, v, n * 7 + d);
        c.arena.scope(() => {
          const pt = c.arena.fromF32(table), pi = c.arena.fromI32(ids), out = c.arena.allocF32(n * d);
          embeddingGather(c, { n, v, d, ids: pi, table: pt, out }, impl);
          const want = new Float32Array(n * d);
          for (let i = 0; i < n; i++) want.set(table.subarray(ids[i] * d, ids[i] * d + d), i * d);
          expect(c.arena.readF32(out, n * d)).toEqual(want);
        });
      });

      it(`${impl} scatter-add n=${n} V=${v} D=${d}: repeated ids accumulate in order, other rows untouched`, () => {
        const grad = uniform(rng(n * d + 3), n * d, -1, 1);
        const dtable0 = uniform(rng(v * d + 4), v * d, -1, 1);
        const ids = idsFor(n, v, n * 5 + v);
        c.arena.scope(() => {
          const pg = c.arena.fromF32(grad), pi = c.arena.fromI32(ids), pd = c.arena.fromF32(dtable0);
          embeddingScatterAdd(c, { n, v, d, ids: pi, grad: pg, dtable: pd }, impl);
          // Reference: float32 additions in row order, as documented (so the result is exact).
          const want = dtable0.slice();
          for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) want[ids[i] * d + j] = Math.fround(want[ids[i] * d + j] + grad[i * d + j]);
          expect(c.arena.readF32(pd, v * d)).toEqual(want);
        });
      });
    }

    it(`${impl}: every id the same row sums all gradient rows (float64 check)`, () => {
      const n = 64, v = 3, d = 6;
      const grad = uniform(rng(9), n * d, -1, 1);
      c.arena.scope(() => {
        const pg = c.arena.fromF32(grad), pi = c.arena.fromI32(new Int32Array(n).fill(1)), pd = c.arena.zerosF32(v * d);
        embeddingScatterAdd(c, { n, v, d, ids: pi, grad: pg, dtable: pd }, impl);
        const got = c.arena.readF32(pd, v * d);
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += grad[i * d + j];
          expect(got[d + j]).toBeCloseTo(s, 5);
          expect(got[j]).toBe(0);
          expect(got[2 * d + j]).toBe(0);
        }
      });
    });
  }
});

describe('embedding input checks', () => {
  const c = core();

  it('rejects ids outside [0, V) before touching memory', () => {
    c.arena.scope(() => {
      const table = c.arena.fromF32(new Float32Array(12));
      const out = c.arena.fromF32(new Float32Array(8).fill(5));
      for (const bad of [3, -1, 2 ** 31 - 1]) {
        const ids = c.arena.fromI32([0, bad]);
        expectEddyError(() => embeddingGather(c, { n: 2, v: 3, d: 4, ids, table, out }), 'E_ARGUMENT', new RegExp(`^embeddingGather: ids\\[1\\] must be a row index in \\[0, 3\\), got ${bad}`));
        expectEddyError(() => embeddingScatterAdd(c, { n: 2, v: 3, d: 4, ids, grad: out, dtable: table }), 'E_ARGUMENT', /^embeddingScatterAdd: ids\[1\] must be a row index/);
      }
      expect(Array.from(c.arena.readF32(out, 8)).every((g) => g === 5)).toBe(true);
      expect(Array.from(c.arena.readF32(table, 12)).every((g) => g === 0)).toBe(true);
    });
  });

  it('rejects bad sizes, pointers, overlaps and impl', () => {
    c.arena.scope(() => {
      const table = c.arena.fromF32(new Float32Array(12));
      const ids = c.arena.fromI32([0, 1]);
      const out = c.arena.allocF32(8);
      expectEddyError(() => embeddingGather(c, { n: 2, v: -3, d: 4, ids, table, out }), 'E_ARGUMENT', /^embeddingGather: v must be an integer >= 0, got -3/);
      expectEddyError(() => embeddingGather(c, { n: 2, v: 3, d: 4, ids, table, out: table + 16 }), 'E_POINTER', /out must not overlap table/);
      expectEddyError(() => embeddingScatterAdd(c, { n: 2, v: 3, d: 4, ids, grad: out, dtable: ids - 16 }), 'E_POINTER', /dtable must not overlap grad|dtable must not overlap ids/);
      expectEddyError(() => embeddingGather(c, { n: 2, v: 3, d: 4, ids: ids + 2, table, out }), 'E_POINTER', /ids must be 4-byte aligned/);
      expectEddyError(() => embeddingGather(c, { n: 2, v: 3, d: 4, ids, table, out: c.memory.buffer.byteLength - 4 }), 'E_POINTER', /out spans bytes/);
      expectEddyError(() => embeddingScatterAdd(c, { n: 2, v: 3, d: 4, ids, grad: out, dtable: table }, 'x' as 'simd'), 'E_ARGUMENT', /impl must be/);
    });
  });
});
