import { describe, expect, it } from 'vitest';
import { transpose, treeLstmCellBackward, treeLstmCellForward } from '../src/index.node.js';
import { closeness, core, expectEddyError, rng, uniform, VARIANTS } from './cores.js';

// The fused Tree-LSTM cell against a float64 reference written from the equations (forward and
// every gradient), the SIMD kernel against its scalar twin, the optional buffers, and the checks;
// the transpose that stacks a tree's levels for the weight gradient.

interface Case {
  M: number;
  H: number;
  K: number;
  kept: boolean;
}

// H = 7 and 150 leave a scalar tail after the SIMD body; K = 0 is a leaf, 2 the binary model.
const CASES: Case[] = [
  { M: 1, H: 1, K: 0, kept: false },
  { M: 5, H: 7, K: 2, kept: false },
  { M: 4, H: 8, K: 1, kept: true },
  { M: 3, H: 150, K: 2, kept: false },
];

const sig = (x: number) => 1 / (1 + Math.exp(-x));

function reference(k: Case, pre: Float32Array, bias: Float32Array, cc: Float32Array, kept: Float32Array, dh: Float32Array, dc: Float32Array) {
  const { M, H, K } = k, G = K + 3;
  const act = new Float64Array(M * G * H), c = new Float64Array(M * H), tc = new Float64Array(M * H), h = new Float64Array(M * H);
  const dpre = new Float64Array(M * G * H), db = new Float64Array(G * H), dcc = new Float64Array(M * K * H), dcTotal = new Float64Array(M * H);
  for (let r = 0; r < M; r++) {
    for (let j = 0; j < H; j++) {
      const at = (q: number) => r * G * H + q * H + j;
      const z = (q: number) => pre[at(q)] + bias[q * H + j];
      const i = sig(z(0)), o = sig(z(K + 1)), u = Math.tanh(z(K + 2));
      const f = Array.from({ length: K }, (_, q) => sig(z(q + 1)));
      let cv = i * u + (k.kept ? kept[r * H + j] : 0);
      for (let q = 0; q < K; q++) cv += f[q] * cc[r * K * H + q * H + j];
      const t = Math.tanh(cv), s = r * H + j;
      c[s] = cv, tc[s] = t, h[s] = o * t;
      act[at(0)] = i, act[at(K + 1)] = o, act[at(K + 2)] = u;
      f.forEach((fq, q) => (act[at(q + 1)] = fq));
      const d = dc[s] + dh[s] * o * (1 - t * t);
      dcTotal[s] = d;
      dpre[at(0)] = d * u * i * (1 - i);
      dpre[at(K + 1)] = dh[s] * t * o * (1 - o);
      dpre[at(K + 2)] = d * i * (1 - u * u);
      for (let q = 0; q < K; q++) {
        dpre[at(q + 1)] = d * cc[r * K * H + q * H + j] * f[q] * (1 - f[q]);
        dcc[r * K * H + q * H + j] = d * f[q];
      }
    }
    for (let q = 0; q < G * H; q++) db[q] += dpre[r * G * H + q];
  }
  return { act, c, tc, h, dpre, db, dcc, dcTotal };
}

describe.each(VARIANTS)('Tree-LSTM cell (%s build)', (variant) => {
  const c = core(variant);
  CASES.forEach((k, n) => {
    it(`M=${k.M} H=${k.H} K=${k.K}${k.kept ? ' kept' : ''}: matches the float64 reference, SIMD ≈ scalar`, () => {
      const { M, H, K } = k, G = K + 3;
      const random = rng(70 + n);
      const pre = uniform(random, M * G * H, -3, 3), bias = uniform(random, G * H), cc = uniform(random, M * K * H, -2, 2);
      const kept = uniform(random, M * H), dh = uniform(random, M * H), dc = uniform(random, M * H);
      const want = reference(k, pre, bias, cc, kept, dh, dc);
      const results = (['simd', 'scalar'] as const).map((impl) =>
        c.arena.scope(() => {
          const a = c.arena;
          const pcc = K === 0 ? 0 : a.fromF32(cc), pkept = k.kept ? a.fromF32(kept) : 0;
          const act = a.allocF32(M * G * H), pc = a.allocF32(M * H), ptc = a.allocF32(M * H), ph = a.allocF32(M * H);
          treeLstmCellForward(c, { m: M, h: H, k: K, cc: pcc, pre: a.fromF32(pre), bias: a.fromF32(bias), kept: pkept, act, c: pc, tc: ptc, hOut: ph }, impl);
          // db accumulates: it starts at 1 here.
          const dpre = a.allocF32(M * G * H), db = a.fromF32(new Float32Array(G * H).fill(1));
          const dcc = K === 0 ? 0 : a.allocF32(M * K * H), dcTotal = a.allocF32(M * H);
          treeLstmCellBackward(c, { m: M, h: H, k: K, cc: pcc, act, tc: ptc, dh: a.fromF32(dh), dc: a.fromF32(dc), dpre, db, dcc, dcTotal }, impl);
          const read = (p: number, len: number) => (p === 0 ? new Float32Array(0) : a.readF32(p, len));
          const dbOut = read(db, G * H).map((x) => x - 1);
          return { act: read(act, M * G * H), c: read(pc, M * H), tc: read(ptc, M * H), h: read(ph, M * H), dpre: read(dpre, M * G * H), db: dbOut, dcc: read(dcc, M * K * H), dcTotal: read(dcTotal, M * H) };
        }),
      );
      for (const [name, got] of Object.entries(results[0])) {
        const expected = want[name as keyof typeof want];
        expect(got.length, name).toBe(expected.length);
        expect(closeness(got, expected, 1e-5, 1e-4), name).toBeLessThanOrEqual(1);
        expect(closeness(got, results[1][name as keyof (typeof results)[1]], 1e-6, 1e-5), `${name}: simd ≈ scalar`).toBeLessThanOrEqual(1);
      }
    });
  });

  it('without dh only dc flows: o gets no gradient; absent outputs are skipped', () => {
    c.arena.scope(() => {
      const a = c.arena, M = 2, H = 4, K = 2, G = 5;
      const random = rng(9);
      const act = a.fromF32(uniform(random, M * G * H, 0.1, 0.9)), tc = a.fromF32(uniform(random, M * H)), cc = a.fromF32(uniform(random, M * K * H));
      const dpre = a.fromF32(new Float32Array(M * G * H).fill(7));
      treeLstmCellBackward(c, { m: M, h: H, k: K, cc, act, tc, dh: 0, dc: a.fromF32(uniform(random, M * H)), dpre, db: 0, dcc: 0, dcTotal: 0 });
      const got = a.readF32(dpre, M * G * H);
      for (let r = 0; r < M; r++) expect(got.subarray(r * G * H + 3 * H, r * G * H + 4 * H).every((x) => x === 0)).toBe(true);
    });
  });

  it('refuses children\'s cells with k = 0 and outputs that overlap inputs', () => {
    c.arena.scope(() => {
      const a = c.arena, M = 2, H = 4;
      const pre = a.zerosF32(M * 3 * H), bias = a.zerosF32(3 * H), out = a.allocF32(M * H), tc = a.allocF32(M * H), h = a.allocF32(M * H);
      expectEddyError(() => treeLstmCellForward(c, { m: M, h: H, k: 0, cc: out, pre, bias, kept: 0, act: pre, c: out, tc, hOut: h }), 'E_ARGUMENT', /with k = 0 .* cc must be 0/);
      expectEddyError(() => treeLstmCellForward(c, { m: M, h: H, k: 0, cc: 0, pre, bias, kept: 0, act: pre, c: bias, tc, hOut: h }), 'E_POINTER', /c must not overlap bias/);
    });
  });
});

describe.each(VARIANTS)('transpose (%s build)', (variant) => {
  const c = core(variant);
  // Sizes around the 4×4 blocks and the 64-column tiles; strides wider than the rows (a block of a
  // stacked matrix, the rest of whose bytes must stay as they were).
  const CASES = [[1, 1], [3, 5], [4, 4], [9, 70], [50, 130], [37, 3]];
  CASES.forEach(([rows, cols], n) => {
    it(`${rows}×${cols}, with strides: dst[j, i] = src[i, j] exactly, SIMD = scalar, nothing outside written`, () => {
      const random = rng(90 + n);
      const ldSrc = cols + 3, ldDst = rows + 5;
      const src = uniform(random, rows * ldSrc);
      const results = (['simd', 'scalar'] as const).map((impl) =>
        c.arena.scope(() => {
          const a = c.arena;
          const dst = a.fromF32(new Float32Array(cols * ldDst).fill(7));
          transpose(c, { rows, cols, src: a.fromF32(src), ldSrc, dst, ldDst }, impl);
          return a.readF32(dst, cols * ldDst);
        }),
      );
      const want = new Float32Array(cols * ldDst).fill(7);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j * ldDst + i] = src[i * ldSrc + j];
      expect(results[0]).toEqual(want);
      expect(results[1]).toEqual(want);
    });
  });

  it('refuses a short stride and overlapping buffers', () => {
    c.arena.scope(() => {
      const a = c.arena, p = a.zerosF32(64), q = a.zerosF32(64);
      expectEddyError(() => transpose(c, { rows: 2, cols: 4, src: p, ldSrc: 3, dst: q }), 'E_ARGUMENT', /ldSrc must be an integer >= 4/);
      expectEddyError(() => transpose(c, { rows: 4, cols: 4, src: p, dst: p + 16 }), 'E_POINTER', /dst must not overlap src/);
    });
  });
});
