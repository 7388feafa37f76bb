import { describe, expect, it } from 'vitest';
import { exp, log, sigmoid, tanh, type Core } from '../src/index.node.js';
import { core, rng, VARIANTS } from './cores.js';

// The vectorised transcendentals (assembly/math/transcendental.ts), through the elementwise kernels
// that apply them, against float64 Math: relative error ≤ 1e-6 wherever the float32 result is a
// normal number, and where it is not (exp's overflow and subnormal ranges) against the float64
// value rounded to float32: the same infinity, and at most one subnormal step away.

const TINY = 2 ** -149; // the smallest subnormal float32, one subnormal step
const MIN_NORMAL = 2 ** -126;
const REL = 1e-6;

type Fn = typeof exp;
const fns: Record<'exp' | 'log' | 'sigmoid' | 'tanh', { kernel: Fn; ref: (x: number) => number }> = {
  exp: { kernel: exp, ref: Math.exp },
  log: { kernel: log, ref: Math.log },
  sigmoid: { kernel: sigmoid, ref: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) },
  tanh: { kernel: tanh, ref: Math.tanh },
};

/** Runs a kernel over xs (rounded to float32) and returns its outputs. */
function run(c: Core, kernel: Fn, xs: ArrayLike<number>, impl: 'simd' | 'scalar'): Float32Array {
  return c.arena.scope(() => {
    const x = c.arena.fromF32(xs);
    const out = c.arena.allocF32(xs.length);
    kernel(c, { n: xs.length, x, out }, impl);
    return c.arena.readF32(out, xs.length);
  });
}

/** The inputs where `got` misses float64 `ref` by the rules above (at most 5, for the message). */
function misses(xs: Float32Array, got: Float32Array, ref: (x: number) => number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < xs.length && bad.length < 5; i++) {
    const want = ref(xs[i]);
    const want32 = Math.fround(want);
    let ok: boolean;
    if (Number.isNaN(want)) ok = Number.isNaN(got[i]);
    else if (!Number.isFinite(want32) || Math.abs(want32) < MIN_NORMAL) ok = Math.abs(got[i] - want32) <= TINY || got[i] === want32;
    else ok = Math.abs(got[i] - want) <= REL * Math.abs(want);
    if (!ok) bad.push(`f(${xs[i]}) = ${got[i]}, float64 ${want}`);
  }
  return bad;
}

/** Every float32 from lo to hi (both float32), in order. */
function allFloats(lo: number, hi: number): Float32Array {
  const bits = new Int32Array(new Float32Array([lo, hi]).buffer);
  const out = new Float32Array(1);
  const step = new Int32Array(out.buffer);
  const values: number[] = [];
  // Walk the bit patterns: positive floats ascend with their bits, negative ones descend.
  for (let b = bits[0]; ; b += bits[0] < 0 ? -1 : 1) {
    step[0] = b;
    if (out[0] > hi) break;
    values.push(out[0]);
    if (b === 0x80000000 || values.length > 5e6) break;
  }
  return new Float32Array(values);
}

function grid(lo: number, hi: number, n: number): Float32Array {
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) xs[i] = lo + ((hi - lo) * i) / (n - 1);
  return xs;
}

function randomIn(seed: number, lo: number, hi: number, n: number): Float32Array {
  const random = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
}

/** ±10^k for k from −45 to 0 in steps of 1/4: relative accuracy near 0. */
const nearZero = Float32Array.from({ length: 181 * 2 }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-45 + (i >> 1) / 4));

/** log-spaced positive floats over the whole range, subnormals included. */
const positives = Float32Array.from({ length: 200_001 }, (_, i) => Math.exp(Math.log(TINY) + ((Math.log(3.4e38) - Math.log(TINY)) * i) / 200_000));

/** The inputs the issue names: ±100 and beyond, infinities, NaN, signed zeros. */
const specials = new Float32Array([0, -0, 100, -100, 88.72283, 88.7229, -87.33655, -103.97, -103.98, -104, 1e30, -1e30, Infinity, -Infinity, NaN]);

describe.each(VARIANTS)('transcendentals (%s build)', (variant) => {
  const c = core(variant);
  for (const impl of ['simd', 'scalar'] as const) {
    for (const [name, { kernel, ref }] of Object.entries(fns)) {
      const domain = name === 'log' ? positives : grid(-100, 100, 400_001);
      it(`${impl} ${name}: relative error ≤ 1e-6 on a dense grid, random points, near 0 and the specials`, () => {
        const randoms = name === 'log' ? randomIn(7, 0, 4, 100_000) : randomIn(7, -100, 100, 100_000);
        for (const xs of [domain, randoms, nearZero, specials]) {
          expect(misses(xs, run(c, kernel, xs, impl), ref)).toEqual([]);
        }
      });
    }

    it(`${impl} exp: every float32 around the overflow threshold and through the subnormal range`, () => {
      for (const xs of [allFloats(88.70, 88.74), allFloats(-104, -87)]) {
        expect(misses(xs, run(c, exp, xs, impl), Math.exp)).toEqual([]);
      }
    });

    it(`${impl} sigmoid: every float32 where σ(x) is subnormal, and the saturation at ±100`, () => {
      const xs = allFloats(-104, -87);
      expect(misses(xs, run(c, sigmoid, xs, impl), fns.sigmoid.ref)).toEqual([]);
      const [hi, lo] = run(c, sigmoid, [100, -100], impl);
      expect(hi).toBe(1);
      expect(lo).toBe(Math.fround(Math.exp(-100) / (1 + Math.exp(-100))));
    });

    it(`${impl} log: every float32 in [0.99, 1.01] (relative accuracy where log x → 0)`, () => {
      const xs = allFloats(0.99, 1.01);
      expect(misses(xs, run(c, log, xs, impl), Math.log)).toEqual([]);
    });

    it(`${impl}: exact saturation, signed zeros and NaN`, () => {
      const xs = [100, -100, Infinity, -Infinity, 1e30, -1e30, -0, 0, NaN];
      expect(Array.from(run(c, tanh, xs, impl))).toEqual([1, -1, 1, -1, 1, -1, -0, 0, NaN]);
      // e^{−100} ≈ 3.8e-44 is a subnormal float32: the correctly rounded one, not a flush to 0.
      const expMinus100 = Math.fround(Math.exp(-100));
      expect(Array.from(run(c, exp, xs, impl))).toEqual([Infinity, expMinus100, Infinity, 0, Infinity, 0, 1, 1, NaN]);
      expect(Array.from(run(c, sigmoid, xs, impl)).slice(2)).toEqual([1, 0, 1, 0, 0.5, 0.5, NaN]);
      expect(Array.from(run(c, log, [0, -0, -1, -Infinity, Infinity, 1, NaN, TINY], impl))).toEqual(
        [-Infinity, -Infinity, NaN, NaN, Infinity, 0, NaN, Math.fround(Math.log(TINY))],
      );
      // tanh keeps relative accuracy near 0 (the exp form would give 0 or a multiple of 2⁻²⁴).
      expect(run(c, tanh, [1e-20, -3e-8], impl)).toEqual(new Float32Array([1e-20, -3e-8]));
    });
  }

  it('SIMD and scalar twins agree to the last bit on every function', () => {
    const xs = new Float32Array([...grid(-110, 110, 100_003), ...nearZero, ...specials, ...positives.subarray(0, 50_001)]);
    for (const { kernel } of Object.values(fns)) {
      const a = run(c, kernel, xs, 'simd');
      const b = run(c, kernel, xs, 'scalar');
      let differ = 0;
      for (let i = 0; i < xs.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) differ++;
      expect(differ).toBe(0);
    }
  });
});
