import { describe, expect, it } from 'vitest';
import {
  add, axpy, exp, log, logSoftmax, logSoftmaxBackward, mul, relu, reluBackward, scale, sigmoid, sigmoidBackward, softmax, sub, sum,
  softmaxBackward, sumOfSquares, tanh, tanhBackward, type Core,
} from '../src/index.node.js';
import { closeness, core, rng, uniform, VARIANTS } from './cores.js';

// Sizes below, at and above the 4-lane vector and the 8-element reduction block, with tails.
const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 16, 31, 33, 100, 1027];
const IMPLS = ['simd', 'scalar'] as const;

function put(c: Core, data: ArrayLike<number>): number {
  return c.arena.fromF32(data);
}

/** Data with the extremes mixed in: ±100, 0, −0 and (optionally) NaN among uniform values. */
function mixed(seed: number, n: number, lo = -3, hi = 3, nan = false): Float32Array {
  const x = uniform(rng(seed), n, lo, hi);
  const extremes = [100, -100, 0, -0, ...(nan ? [NaN] : [])];
  for (let i = 0; i < n; i += 7) x[i] = extremes[(i / 7) % extremes.length];
  return x;
}

/** Neumaier's compensated sum: the float64 reference for the reductions, itself exact to ~1e-16. */
function exactSum(values: ArrayLike<number>): number {
  let s = 0, comp = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + comp;
}

describe.each(VARIANTS)('elementwise (%s build)', (variant) => {
  const c = core(variant);

  for (const impl of IMPLS) {
    describe(`${impl}`, () => {
      it('add, sub, mul: exactly the float32 rounding of the float64 result, for every size', () => {
        for (const n of SIZES) {
          const a = mixed(n, n, -3, 3, true);
          const b = uniform(rng(n + 1), n, -3, 3);
          for (const [fn, ref] of [[add, (p: number, q: number) => p + q], [sub, (p: number, q: number) => p - q], [mul, (p: number, q: number) => p * q]] as const) {
            c.arena.scope(() => {
              const pa = put(c, a), pb = put(c, b), out = c.arena.allocF32(n);
              fn(c, { n, a: pa, b: pb, out }, impl);
              expect(c.arena.readF32(out, n)).toEqual(Float32Array.from(a, (v, i) => ref(v, b[i])));
            });
          }
        }
      });

      it('scale and axpy: one rounding per operation, as BLAS', () => {
        for (const n of SIZES) {
          const x = mixed(n + 2, n);
          const y = uniform(rng(n + 3), n);
          c.arena.scope(() => {
            const px = put(c, x), py = put(c, y), out = c.arena.allocF32(n);
            scale(c, { n, alpha: -0.3, x: px, out }, impl);
            expect(c.arena.readF32(out, n)).toEqual(Float32Array.from(x, (v) => Math.fround(-0.3) * v));
            axpy(c, { n, alpha: 1.7, x: px, y: py }, impl);
            expect(c.arena.readF32(py, n)).toEqual(Float32Array.from(x, (v, i) => Math.fround(Math.fround(1.7) * v) + y[i]));
          });
        }
      });

      it('out may be an input itself (in place), for every kind of kernel', () => {
        const n = 37;
        const a = uniform(rng(5), n);
        const b = uniform(rng(6), n);
        c.arena.scope(() => {
          const pa = put(c, a), pb = put(c, b);
          mul(c, { n, a: pa, b: pb, out: pb }, impl); // out = b
          expect(c.arena.readF32(pb, n)).toEqual(Float32Array.from(a, (v, i) => v * b[i]));
          exp(c, { n, x: pa, out: pa }, impl);
          expect(closeness(c.arena.readF32(pa, n), Array.from(a, Math.exp), 0, 1e-6)).toBeLessThanOrEqual(1);
          axpy(c, { n, alpha: 2, x: pb, y: pb }, impl); // y ← 3y
          expect(c.arena.readF32(pb, n)).toEqual(Float32Array.from(a, (v, i) => Math.fround(2 * Math.fround(v * b[i])) + Math.fround(v * b[i])));
        });
      });

      it('exp, log, sigmoid, tanh: float64 reference within 1e-6 relative on every size and tail', () => {
        for (const n of SIZES) {
          const x = mixed(n + 9, n, -5, 5, true);
          const pos = Float32Array.from(x, (v) => Math.abs(v) * 3);
          for (const [fn, ref, input] of [
            [exp, Math.exp, x], [log, Math.log, pos], [tanh, Math.tanh, x],
            [sigmoid, (v: number) => 1 / (1 + Math.exp(-v)), x],
          ] as const) {
            c.arena.scope(() => {
              const px = put(c, input), out = c.arena.allocF32(n);
              fn(c, { n, x: px, out }, impl);
              // Rounded to float32 so that e^{100} compares as +Inf.
              expect(closeness(c.arena.readF32(out, n), Float32Array.from(input, ref), 1e-37, 1e-6)).toBeLessThanOrEqual(1);
            });
          }
        }
      });

      it('relu: max(x, 0), NaN stays NaN, −0 becomes +0', () => {
        const x = [-2, -0, 0, 3.5, NaN, -100, 100, 1e-40, -1e-40];
        c.arena.scope(() => {
          const px = put(c, x), out = c.arena.allocF32(x.length);
          relu(c, { n: x.length, x: px, out }, impl);
          expect(Array.from(c.arena.readF32(out, x.length))).toEqual([0, 0, 0, 3.5, NaN, 0, 100, Math.fround(1e-40), 0]);
        });
      });

      it('sigmoid′, tanh′ and relu′ from the saved values, overwrite and accumulate', () => {
        for (const n of SIZES) {
          const y = uniform(rng(n + 20), n, 0, 1);
          const t = uniform(rng(n + 21), n, -1, 1);
          const x = mixed(n + 22, n, -2, 2, true);
          const dy = uniform(rng(n + 23), n, -2, 2);
          const dx0 = uniform(rng(n + 24), n, -1, 1);
          const cases = [
            [(args: Parameters<typeof sigmoidBackward>[1]) => sigmoidBackward(c, args, impl), y, (v: number, g: number) => g * v * (1 - v)],
            [(args: Parameters<typeof tanhBackward>[1]) => tanhBackward(c, args, impl), t, (v: number, g: number) => g * (1 - v * v)],
          ] as const;
          for (const [fn, v, ref] of cases) {
            for (const accumulate of [false, true]) {
              c.arena.scope(() => {
                const pv = put(c, v), pdy = put(c, dy);
                // Overwrite mode never reads dx: NaN there must not leak out.
                const pdx = put(c, accumulate ? dx0 : new Float32Array(n).fill(NaN));
                fn({ n, y: pv, dy: pdy, dx: pdx, accumulate });
                const want = Array.from(v, (vi, i) => ref(vi, dy[i]) + (accumulate ? dx0[i] : 0));
                expect(closeness(c.arena.readF32(pdx, n), want, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
              });
            }
          }
          c.arena.scope(() => {
            const px = put(c, x), pdy = put(c, dy.map((g, i) => (i % 5 === 1 ? NaN : g)));
            const pdx = put(c, dx0);
            reluBackward(c, { n, x: px, dy: pdy, dx: pdx, accumulate: true }, impl);
            // NOTE: NaN in dy leaks only where x > 0; NaN in x gives 0 (the subgradient at 0 is 0).
            const want = Float32Array.from(x, (v, i) => (v > 0 ? (i % 5 === 1 ? NaN : dy[i]) : 0) + dx0[i]);
            expect(c.arena.readF32(pdx, n)).toEqual(want);
          });
        }
      });

      it('backward in place: dx may be dy itself', () => {
        const n = 13;
        const y = uniform(rng(30), n, -1, 1);
        const dy = uniform(rng(31), n);
        c.arena.scope(() => {
          const py = put(c, y), pg = put(c, dy);
          tanhBackward(c, { n, y: py, dy: pg, dx: pg }, impl);
          expect(closeness(c.arena.readF32(pg, n), Array.from(y, (v, i) => dy[i] * (1 - v * v)), 1e-7, 1e-6)).toBeLessThanOrEqual(1);
        });
      });

      it('sum and sumOfSquares accumulate in float64: n = 10⁶ matches a float64 sum', () => {
        const n = 1_000_003;
        const x = uniform(rng(40), n, -1, 1);
        const positive = Float32Array.from(x, (v) => Math.abs(v) + 1e-3);
        const s = exactSum(x), sa = exactSum(x.map(Math.abs)), sp = exactSum(positive);
        const ss = exactSum(Array.from(x, (v) => v * v));
        c.arena.scope(() => {
          const px = put(c, x), pp = put(c, positive);
          // A float32 running sum of these terms is off by ~1e-5 relative; float64 partials by ~1e-13.
          expect(Math.abs(sum(c, { n, x: px }, impl) - s)).toBeLessThanOrEqual(1e-12 * sa);
          expect(Math.abs(sumOfSquares(c, { n, x: px }, impl) - ss) / ss).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(sum(c, { n, x: pp }, impl) - sp) / sp).toBeLessThanOrEqual(1e-12);
        });
      });

      it('sum and sumOfSquares on every small size, with the extremes and NaN', () => {
        for (const n of SIZES) {
          const x = mixed(n + 50, n);
          let s = 0, ss = 0;
          for (const v of x) {
            s += v;
            ss += v * v;
          }
          c.arena.scope(() => {
            const px = put(c, x);
            expect(sum(c, { n, x: px }, impl)).toBeCloseTo(s, 10);
            expect(sumOfSquares(c, { n, x: px }, impl)).toBeCloseTo(ss, 8);
            if (n > 0) {
              c.arena.f32[(px >>> 2) + n - 1] = NaN;
              expect(sum(c, { n, x: px }, impl)).toBeNaN();
            }
          });
        }
      });

      it('softmax and logSoftmax: float64 reference on odd shapes with prime strides and extreme rows', () => {
        for (const [rows, cols] of [[1, 1], [3, 5], [7, 8], [2, 9], [5, 33], [1, 1001]]) {
          const ldx = cols + 3;
          const ldo = cols + 2;
          const x = uniform(rng(rows * 100 + cols), rows * ldx, -6, 6);
          if (rows > 1) for (let j = 0; j < cols; j++) x[ldx + j] = j % 2 ? 100 : -100; // saturating row
          const soft: number[] = [];
          const logs: number[] = [];
          for (let r = 0; r < rows; r++) {
            const row = Array.from(x.subarray(r * ldx, r * ldx + cols));
            const m = Math.max(...row);
            const z = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
            for (const v of row) {
              soft.push(Math.exp(v - m) / z);
              logs.push(v - m - Math.log(z));
            }
          }
          for (const [fn, want, atol] of [[softmax, soft, 1e-37], [logSoftmax, logs, 1e-6]] as const) {
            c.arena.scope(() => {
              const px = put(c, x);
              const pattern = new Float32Array(rows * ldo).fill(-7);
              const out = put(c, pattern);
              fn(c, { rows, cols, x: px, ldx, out, ldo }, impl);
              const got = c.arena.readF32(out, rows * ldo);
              const dense = new Float32Array(rows * cols);
              for (let r = 0; r < rows; r++) {
                dense.set(got.subarray(r * ldo, r * ldo + cols), r * cols);
                for (let j = cols; j < ldo && r < rows - 1; j++) expect(got[r * ldo + j]).toBe(-7); // padding untouched
              }
              expect(closeness(dense, want, atol, 1e-6)).toBeLessThanOrEqual(1);
            });
          }
        }
      });

      it('softmaxBackward and logSoftmaxBackward: float64 reference with strides, and in place over dy', () => {
        for (const [rows, cols] of [[1, 1], [3, 5], [4, 8], [2, 13], [3, 40]]) {
          const ldy = cols + 1, lddy = cols + 2, lddx = cols + 3;
          const x = uniform(rng(rows + cols), rows * cols, -4, 4);
          const dy = uniform(rng(rows * cols), rows * lddy, -1, 1);
          const soft = new Float32Array(rows * ldy);
          const logs = new Float32Array(rows * ldy);
          const wantSoft: number[] = [];
          const wantLog: number[] = [];
          for (let r = 0; r < rows; r++) {
            const row = Array.from(x.subarray(r * cols, r * cols + cols));
            const m = Math.max(...row);
            const z = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
            row.forEach((v, j) => {
              soft[r * ldy + j] = Math.exp(v - m) / z;
              logs[r * ldy + j] = v - m - Math.log(z);
            });
            let dot = 0, total = 0;
            for (let j = 0; j < cols; j++) {
              dot += dy[r * lddy + j] * soft[r * ldy + j];
              total += dy[r * lddy + j];
            }
            for (let j = 0; j < cols; j++) {
              wantSoft.push(soft[r * ldy + j] * (dy[r * lddy + j] - dot));
              wantLog.push(dy[r * lddy + j] - Math.exp(logs[r * ldy + j]) * total);
            }
          }
          for (const [fn, y, want] of [[softmaxBackward, soft, wantSoft], [logSoftmaxBackward, logs, wantLog]] as const) {
            c.arena.scope(() => {
              const py = put(c, y), pdy = put(c, dy), pdx = put(c, new Float32Array(rows * lddx).fill(NaN));
              fn(c, { rows, cols, y: py, ldy, dy: pdy, lddy, dx: pdx, lddx }, impl);
              const got = c.arena.readF32(pdx, rows * lddx);
              const dense = Float32Array.from({ length: rows * cols }, (_, i) => got[Math.floor(i / cols) * lddx + (i % cols)]);
              expect(closeness(dense, want, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
              fn(c, { rows, cols, y: py, ldy, dy: pdy, lddy, dx: pdy, lddx: lddy }, impl); // in place over dy
              const inPlace = c.arena.readF32(pdy, rows * lddy);
              expect(Float32Array.from({ length: rows * cols }, (_, i) => inPlace[Math.floor(i / cols) * lddy + (i % cols)])).toEqual(dense);
            });
          }
        }
      });

      it('softmax in place, and NaN or +Inf in a row makes that row NaN only', () => {
        const rows = 3, cols = 6;
        const x = uniform(rng(60), rows * cols, -2, 2);
        x[cols + 2] = NaN;
        x[2 * cols + 4] = Infinity;
        c.arena.scope(() => {
          const px = put(c, x);
          softmax(c, { rows, cols, x: px, out: px }, impl);
          const got = c.arena.readF32(px, rows * cols);
          const row0 = Array.from(x.subarray(0, cols), Math.exp);
          const z = row0.reduce((p, q) => p + q);
          expect(closeness(got.subarray(0, cols), row0.map((v) => v / z), 0, 1e-6)).toBeLessThanOrEqual(1);
          expect(Array.from(got.subarray(cols)).every(Number.isNaN)).toBe(true);
        });
      });
    });
  }

  it('the twins agree to the last bit on softmax, logSoftmax, their backwards, sum and the activations', () => {
    const rows = 9, cols = 77;
    const x = mixed(70, rows * cols, -50, 50);
    const results = IMPLS.map((impl) =>
      c.arena.scope(() => {
        const px = put(c, x), o1 = c.arena.allocF32(rows * cols), o2 = c.arena.allocF32(rows * cols), o3 = c.arena.allocF32(rows * cols);
        softmax(c, { rows, cols, x: px, out: o1 }, impl);
        logSoftmax(c, { rows, cols, x: px, out: o2 }, impl);
        sigmoid(c, { n: rows * cols, x: px, out: o3 }, impl);
        softmaxBackward(c, { rows, cols, y: o1, dy: o3, dx: o3 }, impl);
        logSoftmaxBackward(c, { rows, cols, y: o2, dy: px, dx: o2 }, impl);
        return [...c.arena.readF32(o1, rows * cols), ...c.arena.readF32(o2, rows * cols), ...c.arena.readF32(o3, rows * cols),
          sum(c, { n: rows * cols, x: px }, impl), sumOfSquares(c, { n: rows * cols, x: px }, impl)];
      }),
    );
    expect(results[0]).toEqual(results[1]);
  });
});

describe('elementwise input checks', () => {
  const c = core();
  const base = c.arena.base;
  const check = (fn: () => unknown, code: string, message: RegExp) =>
    expect(fn).toThrow(expect.objectContaining({ name: 'EddyError', code, message: expect.stringMatching(message) }));

  it('rejects bad sizes, strides, scalars and flags, naming the operation and argument', () => {
    check(() => add(c, { n: -1, a: base, b: base, out: base }), 'E_ARGUMENT', /^add: n must be an integer >= 0, got -1/);
    check(() => exp(c, { n: 2.5, x: base, out: base }), 'E_ARGUMENT', /^exp: n must be an integer/);
    check(() => scale(c, { n: 1, alpha: Infinity, x: base, out: base }), 'E_ARGUMENT', /^scale: alpha must be a finite number, got Infinity/);
    check(() => axpy(c, { n: 1, alpha: NaN, x: base, y: base }), 'E_ARGUMENT', /^axpy: alpha must be a finite number, got NaN/);
    check(() => softmax(c, { rows: 2, cols: 5, x: base, ldx: 4, out: base + 64 }), 'E_ARGUMENT', /^softmax: ldx must be an integer >= 5/);
    check(() => logSoftmax(c, { rows: 2, cols: 5, x: base, out: base + 64, ldo: 0 }), 'E_ARGUMENT', /^logSoftmax: ldo must be/);
    check(() => reluBackward(c, { n: 1, x: base, dy: base, dx: base + 16, accumulate: 1 as unknown as boolean }), 'E_ARGUMENT', /^reluBackward: accumulate must be a boolean, got 1/);
    check(() => relu(c, { n: 1, x: base, out: base }, 'fast' as 'simd'), 'E_ARGUMENT', /^relu: impl must be 'simd' or 'scalar', got "fast"/);
  });

  it('rejects pointers outside memory, misaligned or below the arena', () => {
    const end = c.memory.buffer.byteLength;
    check(() => sub(c, { n: 8, a: base, b: end - 16, out: base + 64 }), 'E_POINTER', /^sub: b spans bytes/);
    check(() => tanh(c, { n: 1, x: base + 1, out: base + 16 }), 'E_POINTER', /^tanh: x must be 4-byte aligned/);
    check(() => sum(c, { n: 4, x: 0 }), 'E_POINTER', /^sum: x = 0 points below the arena/);
    check(() => sigmoidBackward(c, { n: 1, y: -4, dy: base, dx: base }), 'E_POINTER', /^sigmoidBackward: y must be a byte offset/);
  });

  it('rejects an output that partly overlaps an input (a shifted alias)', () => {
    check(() => add(c, { n: 8, a: base, b: base + 64, out: base + 4 }), 'E_POINTER', /^add: out must be the same pointer as a or not overlap it/);
    check(() => tanhBackward(c, { n: 8, y: base + 128, dy: base, dx: base + 8 }), 'E_POINTER', /dx must be the same pointer as dy/);
    check(() => softmax(c, { rows: 2, cols: 3, x: base, ldx: 4, out: base, ldo: 3 }), 'E_POINTER', /out must be the same pointer as x with the same row stride/);
    check(() => softmaxBackward(c, { rows: 2, cols: 3, y: base + 64, dy: base, dx: base + 4 }), 'E_POINTER', /^softmaxBackward: dx must be the same pointer as dy/);
    check(() => logSoftmaxBackward(c, { rows: 2, cols: 3, y: base, ldy: 2, dy: base + 64, dx: base + 128 }), 'E_ARGUMENT', /^logSoftmaxBackward: ldy must be an integer >= 3/);
    // Disjoint and identical pointers are fine; n = 0 touches nothing.
    expect(() => mul(c, { n: 4, a: base, b: base, out: base + 16 })).not.toThrow();
    expect(() => add(c, { n: 0, a: 0, b: 0, out: 0 })).not.toThrow();
  });
});
