import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy, type Core } from '../src/index.node.js';
import { closeness, core, rng, uniform, expectEddyError, VARIANTS } from './cores.js';

/** float64 reference: per-row losses, and (softmax − onehot)·scale, rows with target = ignore zero. */
function crossEntropy64(n: number, c: number, z: Float32Array, ld: number, y: Int32Array, ignore: number, scale: number) {
  const losses = new Float64Array(n);
  const grad = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    if (y[r] === ignore) continue;
    const row = Array.from(z.subarray(r * ld, r * ld + c));
    const m = Math.max(...row);
    const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
    losses[r] = m - row[y[r]] + Math.log(s);
    for (let j = 0; j < c; j++) grad[r * c + j] = (Math.exp(row[j] - m) / s - (j === y[r] ? 1 : 0)) * scale;
  }
  return { losses, grad };
}

interface Case {
  n: number;
  c: number;
  ld: number;
  ldd: number;
  logits: Float32Array;
  targets: Int32Array;
}

function makeCase(n: number, c: number, seed: number, ignore: number): Case {
  const random = rng(seed);
  const ld = c + 3;
  const ldd = c + 1;
  const logits = uniform(random, n * ld, -8, 8);
  const targets = Int32Array.from({ length: n }, (_, r) => (r % 4 === 3 ? ignore : Math.floor(random() * c)));
  return { n, c, ld, ldd, logits, targets };
}

/** Runs the kernel and reads back the losses and the dense gradient (padding checked untouched). */
function runCase(c0: Core, k: Case, ignore: number, scale: number | 'mean' | 'sum' | undefined, impl: 'simd' | 'scalar') {
  return c0.arena.scope(() => {
    const logits = c0.arena.fromF32(k.logits);
    const targets = c0.arena.fromI32(k.targets);
    const losses = c0.arena.fromF32(new Float32Array(k.n).fill(NaN));
    const dlogits = c0.arena.fromF32(new Float32Array(k.n * k.ldd).fill(NaN));
    const result = softmaxCrossEntropy(c0, {
      n: k.n, c: k.c, logits, ldLogits: k.ld, targets, ignoreIndex: ignore, scale, losses, dlogits, ldDlogits: k.ldd,
    }, impl);
    const raw = c0.arena.readF32(dlogits, k.n * k.ldd);
    const grad = new Float32Array(k.n * k.c);
    for (let r = 0; r < k.n; r++) {
      grad.set(raw.subarray(r * k.ldd, r * k.ldd + k.c), r * k.c);
      if (r < k.n - 1 && k.ldd > k.c) expect(Number.isNaN(raw[r * k.ldd + k.c])).toBe(true); // padding not written
    }
    return { result, losses: c0.arena.readF32(losses, k.n), grad };
  });
}

describe.each(VARIANTS)('softmaxCrossEntropy (%s build)', (variant) => {
  const c0 = core(variant);
  for (const impl of ['simd', 'scalar'] as const) {
    for (const [n, c] of [[1, 1], [1, 2], [5, 3], [7, 4], [9, 8], [13, 9], [4, 33], [3, 1000]]) {
      it(`${impl} n=${n} c=${c}: losses, count, total and gradient against float64 (mean)`, () => {
        const k = makeCase(n, c, n * 31 + c, -100);
        const count = Array.from(k.targets).filter((t) => t !== -100).length;
        const want = crossEntropy64(n, c, k.logits, k.ld, k.targets, -100, count ? 1 / count : 0);
        const got = runCase(c0, k, -100, undefined, impl);
        expect(got.result.count).toBe(count);
        expect(got.result.scale).toBe(count ? 1 / count : 0);
        expect(closeness(got.losses, want.losses, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
        const total = want.losses.reduce((p, q) => p + q, 0);
        expect(Math.abs(got.result.total - total)).toBeLessThanOrEqual(1e-6 * (1 + total));
        expect(closeness(got.grad, want.grad, 1e-7, 1e-5)).toBeLessThanOrEqual(1);
        for (let r = 0; r < n; r++) {
          if (k.targets[r] !== -100) continue;
          expect(got.losses[r]).toBe(0);
          expect(got.grad.subarray(r * c, r * c + c).every((g) => g === 0)).toBe(true);
        }
      });
    }

    it(`${impl}: extreme logits (±100) give exact saturation, no overflow, and a tiny loss keeps its digits`, () => {
      const c = 5;
      // Row 0: confident and right (ℓ ≈ 4e-87, 0 in float32); row 1: confident and wrong (ℓ = 200);
      // row 2: ℓ ≈ 4.5e-7, whose digits a float32 log(p) would lose (p rounds to 1 − 2⁻²⁴·k).
      const logits = new Float32Array([100, -100, -100, -100, -100, 100, -100, -100, -100, -100, 16, 0, 0, 0, 0]);
      const k: Case = { n: 3, c, ld: c, ldd: c, logits, targets: new Int32Array([0, 1, 0]) };
      const want = crossEntropy64(3, c, logits, c, k.targets, -100, 1);
      const got = runCase(c0, k, -100, 'sum', impl);
      expect(got.losses[0]).toBe(0);
      expect(got.losses[1]).toBe(200);
      expect(Math.abs(got.losses[2] - want.losses[2]) / want.losses[2]).toBeLessThan(1e-6);
      expect(Array.from(got.grad.subarray(5, 7))).toEqual([1, -1]);
      expect(got.grad.every(Number.isFinite)).toBe(true);
      expect(closeness(got.grad, want.grad, 1e-12, 1e-5)).toBeLessThanOrEqual(1);
    });

    it(`${impl}: a custom ignore index that is itself a class, every row ignored, explicit scale`, () => {
      const k = makeCase(6, 4, 99, 2);
      const got = runCase(c0, k, 2, 0.5, impl);
      const want = crossEntropy64(6, 4, k.logits, k.ld, k.targets, 2, 0.5);
      expect(got.result.count).toBe(Array.from(k.targets).filter((t) => t !== 2).length);
      expect(closeness(got.grad, want.grad, 1e-7, 1e-5)).toBeLessThanOrEqual(1);
      const all: Case = { ...k, targets: new Int32Array(6).fill(-1) };
      const none = runCase(c0, all, -1, undefined, impl);
      expect(none.result).toEqual({ count: 0, total: 0, scale: 0 });
      expect(none.grad.every((g) => g === 0)).toBe(true);
    });

    it(`${impl}: gradient in place over the logits, forward-only without dlogits, NaN logits`, () => {
      const n = 5, c = 7;
      const k = makeCase(n, c, 7, -100);
      const want = crossEntropy64(n, c, k.logits, k.ld, k.targets, -100, 1);
      c0.arena.scope(() => {
        const logits = c0.arena.fromF32(k.logits);
        const targets = c0.arena.fromI32(k.targets);
        const r1 = softmaxCrossEntropy(c0, { n, c, logits, ldLogits: k.ld, targets, scale: 1 }, impl);
        expect(r1.total).toBeCloseTo(want.losses.reduce((p, q) => p + q), 5);
        softmaxCrossEntropy(c0, { n, c, logits, ldLogits: k.ld, targets, scale: 1, dlogits: logits, ldDlogits: k.ld }, impl);
        const raw = c0.arena.readF32(logits, n * k.ld);
        const grad = Float32Array.from({ length: n * c }, (_, i) => raw[Math.floor(i / c) * k.ld + (i % c)]);
        expect(closeness(grad, want.grad, 1e-7, 1e-5)).toBeLessThanOrEqual(1);
        // NaN in one row: that row's loss and gradient are NaN, the others are untouched.
        const bad = k.logits.slice();
        bad[k.ld + 2] = NaN;
        const p = c0.arena.fromF32(bad);
        const losses = c0.arena.allocF32(n);
        const d = c0.arena.allocF32(n * c);
        softmaxCrossEntropy(c0, { n, c, logits: p, ldLogits: k.ld, targets, scale: 1, losses, dlogits: d }, impl);
        const l = c0.arena.readF32(losses, n);
        expect(Number.isNaN(l[1])).toBe(true);
        expect(l[0]).toBeCloseTo(want.losses[0], 5);
      });
    });
  }

  it('the twins agree to the last bit', () => {
    const k = makeCase(11, 37, 5, -100);
    const a = runCase(c0, k, -100, undefined, 'simd');
    const b = runCase(c0, k, -100, undefined, 'scalar');
    expect(a).toEqual(b);
  });
});

describe('softmaxCrossEntropy input checks', () => {
  const c0 = core();

  it('rejects a target outside [0, C) that is not the ignore index, before touching memory', () => {
    c0.arena.scope(() => {
      const logits = c0.arena.fromF32(new Float32Array(12));
      const dlogits = c0.arena.fromF32(new Float32Array(12).fill(7));
      for (const [bad, row] of [[3, 2], [-1, 0], [-100, 1]] as const) {
        const ys = [0, 1, 2, 0];
        ys[row] = bad;
        const targets = c0.arena.fromI32(ys);
        expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, ignoreIndex: -7, dlogits }), 'E_ARGUMENT',
          new RegExp(`^softmaxCrossEntropy: targets\\[${row}\\] must be a class index in \\[0, 3\\) or the ignore index -7, got ${bad}`));
      }
      expect(Array.from(c0.arena.readF32(dlogits, 12)).every((g) => g === 7)).toBe(true);
    });
  });

  it('rejects bad sizes, scale, ignore index, strides and overlapping outputs', () => {
    c0.arena.scope(() => {
      const logits = c0.arena.fromF32(new Float32Array(24));
      const targets = c0.arena.fromI32([0, 1, 2, 0]);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 0, logits, targets }), 'E_ARGUMENT', /c must be an integer >= 1, got 0/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, scale: NaN }), 'E_ARGUMENT', /scale must be a finite number, got NaN/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, ignoreIndex: 0.5 }), 'E_ARGUMENT', /ignoreIndex must be an int32, got 0.5/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, ldLogits: 2 }), 'E_ARGUMENT', /ldLogits must be an integer >= 3/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, losses: logits + 8 }), 'E_POINTER', /losses must not overlap logits/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, dlogits: logits + 4 }), 'E_POINTER', /dlogits must be the same pointer as logits/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets, dlogits: targets + 4 }), 'E_POINTER', /dlogits must not overlap targets/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets: c0.memory.buffer.byteLength - 8 }), 'E_POINTER', /targets spans bytes/);
      expectEddyError(() => softmaxCrossEntropy(c0, { n: 4, c: 3, logits, targets }, 'wasm' as 'simd'), 'E_ARGUMENT', /impl must be 'simd' or 'scalar'/);
    });
  });
});
