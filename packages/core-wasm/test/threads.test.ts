import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adagradUpdate, adamUpdate, adamwUpdate, add, axpy, clipValue, EddyError, exp, loadCore, loadCoreSync, log, mul, packB, relu,
  reluBackward, rmspropUpdate, scale, sgdUpdate, sgemm, sgemmPacked, sigmoid, sigmoidBackward, sub, sum, sumOfSquares, tanh,
  tanhBackward, type Core,
} from '../src/index.node.js';
/** assembly/gemm/parallel.ts: products from this many multiply-adds split. */
const SPLIT_GEMM_FROM = 64 ** 3;
import { rng, uniform } from './cores.js';

// A threaded core splits large GEMMs by column panels of C; every element must come out with the
// same bits as on one thread, for any thread count.

let one: Core;
const threaded = new Map<number, Core>();

beforeAll(async () => {
  one = loadCoreSync({ variant: 'simd' });
  for (const threads of [2, 3]) threaded.set(threads, await loadCore({ variant: 'simd', threads }));
});

afterAll(() => {
  for (const core of threaded.values()) core.close();
});

/** Runs `sgemm` on `core` with fresh copies of the operands (strided by one extra element), returns C. */
function product(core: Core, tA: boolean, tB: boolean, m: number, n: number, k: number, beta: number, seed: number, packed = false): Float32Array {
  const random = rng(seed);
  const [aRows, aCols] = tA ? [k, m] : [m, k];
  const [bRows, bCols] = tB ? [n, k] : [k, n];
  const lda = aCols + 1, ldb = bCols + 1, ldc = n + 3;
  return core.arena.scope(() => {
    const a = core.arena.fromF32(uniform(random, aRows * lda));
    const b = core.arena.fromF32(uniform(random, bRows * ldb));
    const c = core.arena.fromF32(uniform(random, m * ldc));
    if (packed) {
      const p = packB(core, { transB: tB, n, k, b, ldb });
      sgemmPacked(core, { transA: tA, m, n, k, alpha: 0.75, beta, a, lda, packed: p, c, ldc });
    } else {
      sgemm(core, { transA: tA, transB: tB, m, n, k, alpha: 0.75, beta, a, lda, b, ldb, c, ldc });
    }
    return core.arena.readF32(c, m * ldc);
  });
}

/** Bits of a float32 array, for exact comparison (NaN and -0 included). */
function bits(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

/** The first index where the bits differ, or -1 (a loop: toEqual on 10⁵-element arrays is slow). */
function firstDifference(x: Float32Array, y: Float32Array): number {
  const a = bits(x), b = bits(y);
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('threaded core', () => {
  it('reports its threads, runs on a shared memory and falls back nowhere', () => {
    expect(one.threads).toBe(1);
    expect(one.threadsFallback).toBeUndefined();
    for (const [threads, core] of threaded) {
      expect(core.threads).toBe(threads);
      expect(core.threadsFallback).toBeUndefined();
      expect(core.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  });

  // Shapes around the split threshold (64³ multiply-adds) and odd sizes: column counts that are not
  // whole panels, fewer panels than threads, k across the 512-deep slices.
  const SHAPES: Array<[number, number, number]> = [
    [63, 65, 64], [64, 64, 64], [65, 63, 67], [2, 9, 16384], [5, 17, 4000], [33, 250, 47], [100, 1029, 13], [130, 131, 600],
  ];

  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`sgemm transA=${tA} transB=${tB}: 2 and 3 threads give the bits of 1`, () => {
      for (const [i, [m, n, k]] of SHAPES.entries()) {
        for (const beta of [0, 0.5]) {
          const want = product(one, tA, tB, m, n, k, beta, 100 + i);
          for (const core of threaded.values()) {
            expect(firstDifference(product(core, tA, tB, m, n, k, beta, 100 + i), want), `${m}×${n}×${k} β=${beta}`).toBe(-1);
          }
        }
      }
    });
  }

  it('sgemmPacked: 2 and 3 threads give the bits of 1', () => {
    for (const [i, [m, n, k]] of SHAPES.entries()) {
      const want = product(one, i % 2 === 1, i % 3 === 0, m, n, k, 1, 200 + i, true);
      for (const core of threaded.values()) {
        expect(firstDifference(product(core, i % 2 === 1, i % 3 === 0, m, n, k, 1, 200 + i, true), want), `${m}×${n}×${k}`).toBe(-1);
      }
    }
  });

  it('splits from the threshold on, and not a batch-1 product or a single column panel', () => {
    const core = threaded.get(2)!;
    const runs = (m: number, n: number, k: number) => {
      const before = core.pool!.runs;
      product(core, false, false, m, n, k, 0, 3);
      return core.pool!.runs - before;
    };
    const edge = Math.cbrt(SPLIT_GEMM_FROM);
    expect(runs(edge, edge, edge)).toBe(1);
    expect(runs(edge, edge, edge - 1)).toBe(0);
    expect(runs(1, 512, 1024)).toBe(0);
    expect(runs(1024, 8, 64)).toBe(0);
    expect(runs(1024, 9, 64)).toBe(1);
  });

  // Elementwise updates split by ranges from 2¹⁵ elements (assembly/gemm/parallel.ts); reductions
  // take fixed chunks of max(2¹⁶, n/16) elements whatever the thread count.
  const LENGTHS = [1000, 32768, 40001, 65536, 65537, 300007];

  /** Every optimizer update and clipping by value on one fresh buffer set of n elements; all state after it. */
  function updates(core: Core, n: number, seed: number): Float32Array[] {
    const random = rng(seed);
    return core.arena.scope(() => {
      // Second moments and accumulators are ≥ 0.
      const buffer = (lo = -1) => core.arena.fromF32(uniform(random, n, lo, 1));
      const [param, grad, m, v, vmax, buf, sq, ga, ss] = [buffer(), buffer(), buffer(), buffer(0), buffer(0), buffer(), buffer(0), buffer(), buffer(0)];
      adamUpdate(core, { n, param, grad, expAvg: m, expAvgSq: v, maxExpAvgSq: vmax, step: 3, lr: 1e-2, weightDecay: 0.1 });
      adamwUpdate(core, { n, param, grad, expAvg: m, expAvgSq: v, step: 4, lr: 1e-2, weightDecay: 0.1 });
      sgdUpdate(core, { n, param, grad, momentumBuffer: buf, lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3, first: false });
      rmspropUpdate(core, { n, param, grad, squareAvg: sq, gradAvg: ga, momentumBuffer: buf, lr: 1e-2, momentum: 0.5 });
      adagradUpdate(core, { n, param, grad, stateSum: ss, step: 2, lr: 0.1, weightDecay: 0.01 });
      clipValue(core, { n, grad, clip: 0.3 });
      return [param, grad, m, v, vmax, buf, sq, ga, ss].map((p) => core.arena.readF32(p, n));
    });
  }

  it('optimizer updates and clipping: 2 and 3 threads give the bits of 1, and large tensors split', () => {
    for (const [i, n] of LENGTHS.entries()) {
      const want = updates(one, n, 300 + i);
      for (const core of threaded.values()) {
        const before = core.pool!.teams;
        const got = updates(core, n, 300 + i);
        // Six calls, each split from 2¹⁵ elements on (a thread's range at least 2¹³).
        expect(core.pool!.teams - before, `n=${n}`).toBe(n >= 32768 ? 6 : 0);
        got.forEach((g, j) => expect(firstDifference(g, want[j]), `n=${n} threads=${core.threads} buffer ${j}`).toBe(-1));
      }
    }
  });

  /** Every elementwise map and map gradient, chained on n elements; the vectors after it. */
  function maps(core: Core, n: number, seed: number): Float32Array[] {
    const random = rng(seed);
    return core.arena.scope(() => {
      const [a, b, c, d] = [0, 1, 2, 3].map(() => core.arena.fromF32(uniform(random, n)));
      const out = core.arena.zerosF32(n), g = core.arena.zerosF32(n);
      add(core, { n, a, b, out }); sub(core, { n, a: out, b, out }); mul(core, { n, a: out, b: c, out });
      scale(core, { n, alpha: 0.75, x: out, out }); axpy(core, { n, alpha: -1.5, x: a, y: out });
      exp(core, { n, x: out, out: d }); log(core, { n, x: d, out: d }); sigmoid(core, { n, x: d, out: b }); tanh(core, { n, x: out, out: c });
      relu(core, { n, x: out, out: a });
      sigmoidBackward(core, { n, y: b, dy: c, dx: g }); tanhBackward(core, { n, y: c, dy: d, dx: g, accumulate: true });
      reluBackward(core, { n, x: out, dy: b, dx: g, accumulate: true });
      return [a, b, c, d, out, g].map((p) => core.arena.readF32(p, n));
    });
  }

  it('elementwise maps and their gradients: 2 and 3 threads give the bits of 1, and long vectors split', () => {
    for (const [i, n] of LENGTHS.entries()) {
      const want = maps(one, n, 500 + i);
      for (const core of threaded.values()) {
        const before = core.pool!.teams;
        const got = maps(core, n, 500 + i);
        expect(core.pool!.teams - before, `n=${n}`).toBe(n >= 32768 ? 13 : 0);
        got.forEach((g, j) => expect(firstDifference(g, want[j]), `n=${n} threads=${core.threads} vector ${j}`).toBe(-1));
      }
    }
  });

  it('sum and sumOfSquares: fixed chunks, the same f64 on any thread count', () => {
    for (const [i, n] of LENGTHS.entries()) {
      const x = uniform(rng(400 + i), n);
      const reduce = (core: Core) => core.arena.scope(() => {
        const p = core.arena.fromF32(x);
        return [sum(core, { n, x: p }), sumOfSquares(core, { n, x: p })];
      });
      const want = reduce(one);
      // The chunked sum is still the sum: within f64 rounding of a plain loop.
      expect(want[0]).toBeCloseTo(x.reduce((a, b) => a + b, 0), 6);
      for (const core of threaded.values()) expect(reduce(core), `n=${n}`).toEqual(want);
    }
  });

  it('keeps working after the shared memory grows', () => {
    const core = threaded.get(2)!;
    const before = core.memory.buffer.byteLength;
    const big = core.arena.allocUnscoped(before * 2);
    expect(core.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(firstDifference(product(core, false, true, 96, 200, 300, 0, 7), product(one, false, true, 96, 200, 300, 0, 7))).toBe(-1);
    core.arena.free(big);
  });
});

describe('a worker that traps', () => {
  it('does not hang the caller: the next check throws E_POINTER, and the pool keeps working', () => {
    const core = threaded.get(2)!;
    const [m, n, k] = [2, 64, 2048];
    core.arena.scope(() => {
      const a = core.arena.zerosF32(m * k), b = core.arena.zerosF32(k * n);
      const work = core.arena.alloc(core.exports.f32_gemm_workspace_bytes(m, n, k));
      // C placed so that the caller's columns (0…31) fit in memory and the worker's (32…63) of row 1
      // run past its end: only the worker traps. The raw export skips the wrappers' checks.
      const end = core.memory.buffer.byteLength;
      const c = end - (n + 48) * 4;
      core.exports.f32_gemm_4x8__wasmsimd!(0, 0, m, n, k, 1, a, k, b, n, 0, c, n, work);
      expect(() => core.pool!.check()).toThrow(expect.objectContaining({ code: 'E_POINTER' }));
      expect(() => core.pool!.check()).not.toThrow();
    });
    expect(firstDifference(product(core, true, false, 70, 90, 80, 0.5, 9), product(one, true, false, 70, 90, 80, 0.5, 9))).toBe(-1);
  });
});

describe('a worker that traps inside a split time loop', () => {
  it('does not leave its teammates waiting at a step barrier: the check throws, and the pool keeps working', () => {
    const core = threaded.get(2)!;
    // An RNN backward whose per-step product (32 × 96 × 96) splits the time loop: units 0…47 to the
    // caller, 48…95 to the worker. dout's last row (t = 1, read first) runs past the memory's end
    // from unit 56 on: only the worker traps, before the step's barrier, where the caller waits.
    const [T, B, I, H] = [2, 32, 4, 96];
    core.arena.scope(() => {
      const x = core.arena.zerosF32(T * B * I), wIh = core.arena.zerosF32(H * I), wHh = core.arena.zerosF32(H * H);
      const ws = core.arena.zerosF32((T + 1) * B * H);
      const work = core.arena.alloc(core.exports.f32_rnn_backward_scratch_bytes(T, B, I, H));
      const dout = core.memory.buffer.byteLength - (T * B * H - 40) * 4;
      const teams = core.pool!.teams;
      core.exports.f32_rnn_backward__wasmsimd!(T, B, I, H, 0, 0, x, wIh, wHh, 0, ws, dout, H, 0, 0, 0, 0, 0, 0, 0, work);
      expect(core.pool!.teams - teams).toBe(1);
      expect(() => core.pool!.check()).toThrow(expect.objectContaining({ code: 'E_POINTER' }));
    });
    expect(firstDifference(product(core, false, true, 70, 90, 80, 0, 11), product(one, false, true, 70, 90, 80, 0, 11))).toBe(-1);
  });
});

describe('loadCore({ threads })', () => {
  it('refuses a thread count that is not a positive integer', async () => {
    for (const threads of [0, 1.5, -2, '2', 1000]) {
      await expect(loadCore({ threads: threads as number })).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringContaining('threads') });
    }
  });

  it('loadCoreSync cannot start workers and says to use loadCore', () => {
    expect(() => loadCoreSync({ threads: 2 })).toThrow(EddyError);
    expect(() => loadCoreSync({ threads: 2 })).toThrow(/await loadCore/);
    expect(loadCoreSync({ threads: 1 }).threads).toBe(1);
  });

  it('falls back to one thread for the debug build and says why', async () => {
    const core = await loadCore({ variant: 'debug', threads: 2 });
    expect(core.threads).toBe(1);
    expect(core.threadsFallback).toMatch(/2 threads were asked for, but the debug build runs on one thread/);
  });

  it('caps the shared memory at maxBytes', async () => {
    const core = await loadCore({ threads: 2, maxBytes: 4 << 20 });
    try {
      expect(core.arena.maxBytes).toBe(4 << 20);
      expect(() => core.arena.allocUnscoped(8 << 20)).toThrow(expect.objectContaining({ code: 'E_OUT_OF_MEMORY' }));
    } finally {
      core.close();
    }
  });

  it('a closed core runs every call on the calling thread, with the same bits', async () => {
    const core = await loadCore({ threads: 2 });
    core.close();
    expect(firstDifference(product(core, false, false, 64, 64, 128, 0, 1), product(one, false, false, 64, 64, 128, 0, 1))).toBe(-1);
  });
});
