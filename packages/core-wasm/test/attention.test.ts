import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from '../src/index.node.js';
import { closeness, core, expectEddyError, rng, uniform, VARIANTS } from './cores.js';

// The fused attention step against a float64 reference written from the equations, the SIMD
// kernel against its scalar twin (bit-equal), padding (weight 0, gradient 0), and the argument checks.

interface Case {
  B: number;
  S: number;
  P: number;
  Hk: number;
  lengths: Int32Array | null;
  /** Scores given instead of q·P. */
  given: boolean;
}

const CASES: Case[] = [
  { B: 1, S: 1, P: 1, Hk: 1, lengths: null, given: false },
  { B: 3, S: 5, P: 7, Hk: 9, lengths: Int32Array.of(5, 1, 3), given: false },
  { B: 4, S: 6, P: 8, Hk: 16, lengths: null, given: false },
  { B: 2, S: 4, P: 0, Hk: 5, lengths: Int32Array.of(2, 4), given: true },
];

/** The float64 reference of one step and its backward. */
function reference(c: Case, q: Float32Array, proj: Float32Array, scores: Float32Array, keys: Float32Array, dw: Float32Array, dc: Float32Array) {
  const { B, S, P, Hk } = c;
  const weights = new Float64Array(B * S), context = new Float64Array(B * Hk);
  const dscores = new Float64Array(S * B), dq = new Float64Array(B * P), dproj = new Float64Array(S * B * P), dkeys = new Float64Array(S * B * Hk);
  for (let b = 0; b < B; b++) {
    const n = c.lengths === null ? S : c.lengths[b];
    const e = Array.from({ length: n }, (_, s) => {
      if (c.given) return scores[s * B + b];
      let d = 0;
      for (let p = 0; p < P; p++) d += q[b * P + p] * proj[(s * B + b) * P + p];
      return d;
    });
    const m = Math.max(...e);
    const z = e.reduce((a, x) => a + Math.exp(x - m), 0);
    for (let s = 0; s < n; s++) weights[b * S + s] = Math.exp(e[s] - m) / z;
    for (let s = 0; s < n; s++) for (let h = 0; h < Hk; h++) context[b * Hk + h] += weights[b * S + s] * keys[(s * B + b) * Hk + h];
    const g = Array.from({ length: n }, (_, s) => {
      let x = dw[b * S + s];
      for (let h = 0; h < Hk; h++) x += dc[b * Hk + h] * keys[(s * B + b) * Hk + h];
      return x;
    });
    const dot = g.reduce((a, x, s) => a + x * weights[b * S + s], 0);
    for (let s = 0; s < n; s++) {
      const de = weights[b * S + s] * (g[s] - dot);
      dscores[s * B + b] = de;
      for (let p = 0; p < P; p++) {
        dq[b * P + p] += de * proj[(s * B + b) * P + p];
        dproj[(s * B + b) * P + p] = de * q[b * P + p];
      }
      for (let h = 0; h < Hk; h++) dkeys[(s * B + b) * Hk + h] = weights[b * S + s] * dc[b * Hk + h];
    }
  }
  return { weights, context, dscores, dq, dproj, dkeys };
}

describe.each(VARIANTS)('attention step (%s build)', (variant) => {
  const c = core(variant);
  CASES.forEach((k, i) => {
    it(`B=${k.B} S=${k.S} P=${k.P} Hk=${k.Hk}${k.lengths ? ' padded' : ''}${k.given ? ' scores given' : ''}: matches the float64 reference, twins bit-equal`, () => {
      const { B, S, P, Hk } = k;
      const random = rng(40 + i);
      const q = uniform(random, B * P, -2, 2), proj = uniform(random, S * B * P, -2, 2), scores = uniform(random, S * B, -3, 3);
      const keys = uniform(random, S * B * Hk), dw = uniform(random, B * S), dc = uniform(random, B * Hk);
      const want = reference(k, q, proj, scores, keys, dw, dc);
      const results = (['simd', 'scalar'] as const).map((impl) =>
        c.arena.scope(() => {
          const a = c.arena;
          const pq = k.given ? 0 : a.fromF32(q), pp = k.given ? 0 : a.fromF32(proj), ps = k.given ? a.fromF32(scores) : 0;
          const pk = a.fromF32(keys), pl = k.lengths === null ? 0 : a.fromI32(k.lengths);
          const w = a.allocF32(B * S), ctx = a.allocF32(B * Hk);
          const sizes = { b: B, s: S, p: P, hk: Hk, q: pq, proj: pp, keys: pk, lengths: pl };
          attentionForward(c, { ...sizes, scores: ps, weights: w, context: ctx }, impl);
          const ds = a.allocF32(S * B), dq = k.given ? 0 : a.allocF32(B * P), dp = k.given ? 0 : a.allocF32(S * B * P), dk = a.allocF32(S * B * Hk);
          attentionBackward(c, { ...sizes, weights: w, dweights: a.fromF32(dw), dcontext: a.fromF32(dc), dscores: ds, dq, dproj: dp, dkeys: dk }, impl);
          const read = (p: number, n: number) => (p === 0 ? new Float32Array(0) : a.readF32(p, n));
          return { weights: read(w, B * S), context: read(ctx, B * Hk), dscores: read(ds, S * B), dq: read(dq, B * P), dproj: read(dp, S * B * P), dkeys: read(dk, S * B * Hk) };
        }),
      );
      for (const [name, got] of Object.entries(results[0])) {
        const expected = want[name as keyof typeof want];
        if (got.length > 0) expect(closeness(got, expected, 1e-5, 1e-4), name).toBeLessThanOrEqual(1);
        expect(got, `${name}: simd = scalar`).toEqual(results[1][name as keyof (typeof results)[1]]);
      }
      // Padding positions: exactly 0 weight, and no gradient to their keys.
      if (k.lengths !== null) {
        for (let b = 0; b < B; b++) {
          for (let s = k.lengths[b]; s < S; s++) {
            expect(results[0].weights[b * S + s]).toBe(0);
            expect(results[0].dkeys.subarray((s * B + b) * Hk, (s * B + b + 1) * Hk).every((x) => x === 0)).toBe(true);
          }
        }
      }
    });
  });

  it('refuses lengths outside [1, s], scores together with q, and outputs that overlap inputs', () => {
    c.arena.scope(() => {
      const a = c.arena;
      const q = a.zerosF32(4), proj = a.zerosF32(2 * 2 * 2), keys = a.zerosF32(2 * 2 * 3), w = a.allocF32(4), ctx = a.allocF32(6);
      const sizes = { b: 2, s: 2, p: 2, hk: 3, q, proj, keys, lengths: 0 };
      expectEddyError(() => attentionForward(c, { ...sizes, lengths: a.fromI32(Int32Array.of(1, 3)), scores: 0, weights: w, context: ctx }), 'E_ARGUMENT', /lengths\[1\] must be in \[1, s = 2\], got 3/);
      expectEddyError(() => attentionForward(c, { ...sizes, scores: a.zerosF32(4), weights: w, context: ctx }), 'E_ARGUMENT', /either q .* or scores/);
      expectEddyError(() => attentionForward(c, { ...sizes, scores: 0, weights: keys, context: ctx }), 'E_POINTER', /weights must not overlap keys/);
    });
  });
});
