import { describe, expect, it } from 'vitest';
import { gruBackward, gruForward, gruWorkspaceBytes, type Core } from '../src/index.node.js';
import { closeness, core, rng, uniform, expectEddyError, VARIANTS } from './cores.js';

// ---------------------------------------------------------------------------------------------
// float64 reference: one batch element at a time, straight from the equations.

interface Problem {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse: boolean;
  resetBefore: boolean;
  x: ArrayLike<number>;
  wIh: ArrayLike<number>;
  wHh: ArrayLike<number>;
  bIh: ArrayLike<number> | null;
  bHh: ArrayLike<number> | null;
  lengths: number[] | null;
  h0: ArrayLike<number> | null;
}

interface StepCache {
  hp: Float64Array;
  r: Float64Array;
  z: Float64Array;
  n: Float64Array;
  /** W_hn h + b_hn (PyTorch form) */
  ghn: Float64Array;
  /** r ⊙ h (Cho form) */
  rh: Float64Array;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Time indices element b visits, in processing order. */
function visits(p: Problem, b: number): number[] {
  const len = p.lengths ? p.lengths[b] : p.T;
  const ts = Array.from({ length: len }, (_, i) => i);
  return p.reverse ? ts.reverse() : ts;
}

/** y[g] = Σ_k W[(row0 + g)·ld + k] v[k] for g < rows. */
function matvec(w: ArrayLike<number>, row0: number, rows: number, ld: number, v: ArrayLike<number>, off = 0, len = ld): Float64Array {
  const y = new Float64Array(rows);
  for (let g = 0; g < rows; g++) {
    let acc = 0;
    for (let k = 0; k < len; k++) acc += w[(row0 + g) * ld + k] * v[off + k];
    y[g] = acc;
  }
  return y;
}

function refForward(p: Problem) {
  const { T, B, I, H } = p;
  const out = new Float64Array(T * B * H);
  const hT = new Float64Array(B * H);
  const cache = new Map<number, StepCache>();
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(H);
    if (p.h0) for (let j = 0; j < H; j++) h[j] = p.h0[b * H + j];
    for (const t of visits(p, b)) {
      const ai = matvec(p.wIh, 0, 3 * H, I, p.x, (t * B + b) * I);
      const ah = matvec(p.wHh, 0, 3 * H, H, h);
      const c: StepCache = { hp: h, r: new Float64Array(H), z: new Float64Array(H), n: new Float64Array(H), ghn: new Float64Array(H), rh: new Float64Array(H) };
      const bi = (g: number) => (p.bIh ? p.bIh[g] : 0);
      const bh = (g: number) => (p.bHh ? p.bHh[g] : 0);
      for (let j = 0; j < H; j++) {
        c.r[j] = sig(ai[j] + bi(j) + ah[j] + bh(j));
        c.z[j] = sig(ai[H + j] + bi(H + j) + ah[H + j] + bh(H + j));
        c.rh[j] = c.r[j] * h[j];
      }
      const whn = p.resetBefore ? matvec(p.wHh, 2 * H, H, H, c.rh) : null;
      const hn = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        c.ghn[j] = ah[2 * H + j] + bh(2 * H + j);
        const a = p.resetBefore ? ai[2 * H + j] + bi(2 * H + j) + whn![j] + bh(2 * H + j) : ai[2 * H + j] + bi(2 * H + j) + c.r[j] * c.ghn[j];
        c.n[j] = Math.tanh(a);
        hn[j] = (1 - c.z[j]) * c.n[j] + c.z[j] * h[j];
        out[(t * B + b) * H + j] = hn[j];
      }
      cache.set(t * B + b, c);
      h = hn;
    }
    hT.set(h, b * H);
  }
  return { out, hT, cache };
}

/** Hand-written BPTT for L with ∂L/∂out = dout (rows of H) and ∂L/∂hT = dhT. */
function refBackward(p: Problem, dout: ArrayLike<number> | null, dhT: ArrayLike<number> | null) {
  const { T, B, I, H } = p;
  const { cache } = refForward(p);
  const dx = new Float64Array(T * B * I);
  const dh0 = new Float64Array(B * H);
  const dwIh = new Float64Array(3 * H * I);
  const dwHh = new Float64Array(3 * H * H);
  const dbIh = new Float64Array(3 * H);
  const dbHh = new Float64Array(3 * H);
  for (let b = 0; b < B; b++) {
    let dh = new Float64Array(H);
    if (dhT) for (let j = 0; j < H; j++) dh[j] = dhT[b * H + j];
    for (const t of visits(p, b).reverse()) {
      const row = t * B + b;
      const c = cache.get(row)!;
      if (dout) for (let j = 0; j < H; j++) dh[j] += dout[row * H + j];
      const dGi = new Float64Array(3 * H);
      const dGh = new Float64Array(3 * H);
      const dhp = new Float64Array(H);
      const dan = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        dan[j] = dh[j] * (1 - c.z[j]) * (1 - c.n[j] * c.n[j]);
        dGi[H + j] = dGh[H + j] = dh[j] * (c.hp[j] - c.n[j]) * c.z[j] * (1 - c.z[j]);
        dGi[2 * H + j] = dan[j];
        dhp[j] = dh[j] * c.z[j];
      }
      // The source each hidden-side row of dW_hh multiplies: h_{t−1}, or r ⊙ h_{t−1} for W_hn (Cho).
      const hsrc = (g: number) => (p.resetBefore && g >= 2 * H ? c.rh : c.hp);
      if (!p.resetBefore) {
        for (let j = 0; j < H; j++) {
          dGh[2 * H + j] = dan[j] * c.r[j];
          dGi[j] = dGh[j] = dan[j] * c.ghn[j] * c.r[j] * (1 - c.r[j]);
        }
        for (let k = 0; k < H; k++) for (let g = 0; g < 3 * H; g++) dhp[k] += p.wHh[g * H + k] * dGh[g];
      } else {
        const drh = new Float64Array(H);
        for (let k = 0; k < H; k++) for (let j = 0; j < H; j++) drh[k] += p.wHh[(2 * H + j) * H + k] * dan[j];
        for (let j = 0; j < H; j++) {
          dGh[2 * H + j] = dan[j];
          dGi[j] = dGh[j] = drh[j] * c.hp[j] * c.r[j] * (1 - c.r[j]);
          dhp[j] += drh[j] * c.r[j];
        }
        for (let k = 0; k < H; k++) for (let g = 0; g < 2 * H; g++) dhp[k] += p.wHh[g * H + k] * dGh[g];
      }
      for (let g = 0; g < 3 * H; g++) {
        dbIh[g] += dGi[g];
        dbHh[g] += dGh[g];
        for (let k = 0; k < I; k++) {
          dwIh[g * I + k] += dGi[g] * p.x[row * I + k];
          dx[row * I + k] += p.wIh[g * I + k] * dGi[g];
        }
        for (let k = 0; k < H; k++) dwHh[g * H + k] += dGh[g] * hsrc(g)[k];
      }
      dh = dhp;
    }
    dh0.set(dh, b * H);
  }
  return { dx, dh0, dwIh, dwHh, dbIh, dbHh };
}

function makeProblem(shape: { T: number; B: number; I: number; H: number }, o: {
  seed: number; reverse?: boolean; resetBefore?: boolean; bias?: boolean; lengths?: number[] | null; h0?: boolean; scale?: number;
}): Problem {
  const random = rng(o.seed);
  const { T, B, I, H } = shape;
  const k = 1 / Math.sqrt(H);
  const s = o.scale ?? 1;
  return {
    ...shape,
    reverse: o.reverse ?? false,
    resetBefore: o.resetBefore ?? false,
    x: uniform(random, T * B * I, -s, s),
    wIh: uniform(random, 3 * H * I, -k, k),
    wHh: uniform(random, 3 * H * H, -k * s, k * s),
    bIh: o.bias === false ? null : uniform(random, 3 * H, -k * s, k * s),
    bHh: o.bias === false ? null : uniform(random, 3 * H, -k * s, k * s),
    lengths: o.lengths ?? null,
    h0: o.h0 ? uniform(random, B * H) : null,
  };
}

// ---------------------------------------------------------------------------------------------

describe('the float64 reference', () => {
  // Central differences of L = Σ out ⊙ w_o + Σ hT ⊙ w_h prove the hand-written backward.
  for (const resetBefore of [false, true]) {
    for (const reverse of [false, true]) {
      it(`matches finite differences (resetBefore=${resetBefore}, reverse=${reverse}, mixed lengths)`, () => {
        const shape = { T: 3, B: 3, I: 2, H: 3 };
        const p0 = makeProblem(shape, { seed: 7, reverse, resetBefore, lengths: [3, 1, 2], h0: true, scale: 1.5 });
        const f64 = (a: ArrayLike<number> | null) => Float64Array.from(a!);
        const p: Problem = { ...p0, x: f64(p0.x), wIh: f64(p0.wIh), wHh: f64(p0.wHh), bIh: f64(p0.bIh), bHh: f64(p0.bHh), h0: f64(p0.h0) };
        const random = rng(99);
        const wo = Float64Array.from(uniform(random, shape.T * shape.B * shape.H));
        const wh = Float64Array.from(uniform(random, shape.B * shape.H));
        const loss = () => {
          const { out, hT } = refForward(p);
          let l = 0;
          out.forEach((v, i) => (l += v * wo[i]));
          hT.forEach((v, i) => (l += v * wh[i]));
          return l;
        };
        const grads = refBackward(p, wo, wh);
        const pairs: Array<[Float64Array, Float64Array]> = [
          [p.x as Float64Array, grads.dx], [p.h0 as Float64Array, grads.dh0], [p.wIh as Float64Array, grads.dwIh],
          [p.wHh as Float64Array, grads.dwHh], [p.bIh as Float64Array, grads.dbIh], [p.bHh as Float64Array, grads.dbHh],
        ];
        let checked = 0;
        for (const [param, grad] of pairs) {
          for (let i = 0; i < param.length; i++) {
            const v = param[i];
            const eps = 1e-6;
            param[i] = v + eps;
            const up = loss();
            param[i] = v - eps;
            const down = loss();
            param[i] = v;
            expect(Math.abs((up - down) / (2 * eps) - grad[i])).toBeLessThan(1e-7 + 1e-6 * Math.abs(grad[i]));
            if (grad[i] !== 0) checked++;
          }
        }
        expect(checked).toBeGreaterThan(40);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The kernels against the reference.

interface RunOptions {
  impl: 'simd' | 'scalar';
  /** Output row stride (default H) and where in the row this direction writes. */
  ldo?: number;
  col?: number;
  /** Fill x's padding rows with NaN (the forward must ignore them). */
  nanPadding?: boolean;
}

function readMatrix(c0: Core, ptr: number, rows: number, cols: number, ld: number): Float32Array {
  const all = c0.arena.readF32(ptr, rows === 0 ? 0 : (rows - 1) * ld + cols);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) m.set(all.subarray(i * ld, i * ld + cols), i * cols);
  return m;
}

/** Forward and backward through the kernels; returns everything they wrote. */
function runKernels(c0: Core, p: Problem, o: RunOptions) {
  const { T, B, I, H } = p;
  const M = T * B;
  const ldo = o.ldo ?? H;
  const col = o.col ?? 0;
  const random = rng(T * 31 + B * 17 + H);
  const dout = uniform(random, M * H);
  const dhT = uniform(random, B * H);
  const dwIh0 = uniform(random, 3 * H * I);
  const dwHh0 = uniform(random, 3 * H * H);
  const dbIh0 = uniform(random, 3 * H);
  const dbHh0 = uniform(random, 3 * H);
  return c0.arena.scope(() => {
    const f = (a: ArrayLike<number> | null) => (a ? c0.arena.fromF32(a) : 0);
    const nan = (n: number) => c0.arena.fromF32(new Float32Array(n).fill(NaN));
    const x = Float32Array.from(p.x);
    if (o.nanPadding && p.lengths) {
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= p.lengths[b]) x.fill(NaN, (t * B + b) * I, (t * B + b + 1) * I);
    }
    const xp = f(x);
    const wIh = f(p.wIh);
    const wHh = f(p.wHh);
    const lengths = p.lengths ? c0.arena.fromI32(p.lengths) : 0;
    const shape = { T, B, I, H, reverse: p.reverse, resetBefore: p.resetBefore };
    // Other columns of the output rows hold a sentinel that must survive.
    const outBuf = new Float32Array(M * ldo).fill(NaN);
    for (let i = 0; i < M; i++) outBuf.fill(-7, i * ldo, i * ldo + col), outBuf.fill(-7, i * ldo + col + H, (i + 1) * ldo);
    const out = c0.arena.fromF32(outBuf);
    const hT = nan(B * H);
    const ws = nan(gruWorkspaceBytes(c0, T, B, I, H) / 4);
    gruForward(c0, { ...shape, x: xp, wIh, wHh, bIh: f(p.bIh), bHh: f(p.bHh), lengths, h0: f(p.h0), out: out + col * 4, ldo, hT, ws }, o.impl);
    const outAll = c0.arena.readF32(out, M * ldo);
    // Inference (no ws) must produce the same output.
    const out2 = nan(M * H);
    const hT2 = nan(B * H);
    gruForward(c0, { ...shape, x: xp, wIh, wHh, bIh: f(p.bIh), bHh: f(p.bHh), lengths, h0: f(p.h0), out: out2, hT: hT2 }, o.impl);

    const doutBuf = new Float32Array(M * ldo).fill(NaN);
    for (let i = 0; i < M; i++) doutBuf.set(dout.subarray(i * H, (i + 1) * H), i * ldo + col);
    const doutP = c0.arena.fromF32(doutBuf);
    const dx = nan(M * I);
    const dh0 = nan(B * H);
    const dwIh = f(dwIh0);
    const dwHh = f(dwHh0);
    const dbIh = f(dbIh0);
    const dbHh = f(dbHh0);
    gruBackward(c0, {
      ...shape, x: xp, wIh, wHh, lengths, ws, dout: doutP + col * 4, lddo: ldo, dhT: f(dhT), dx, dh0, dwIh, dwHh, dbIh, dbHh,
    }, o.impl);
    const added = (ptr: number, before: Float32Array) => c0.arena.readF32(ptr, before.length).map((v, i) => v - before[i]);
    return {
      outAll,
      out: readMatrix(c0, out + col * 4, M, H, ldo),
      hT: c0.arena.readF32(hT, B * H),
      outInference: c0.arena.readF32(out2, M * H),
      hTInference: c0.arena.readF32(hT2, B * H),
      dout,
      dhT,
      dx: c0.arena.readF32(dx, M * I),
      dh0: c0.arena.readF32(dh0, B * H),
      // Accumulated into: what the kernel added (the pre-filled values are subtracted again).
      dwIh: added(dwIh, dwIh0),
      dwHh: added(dwHh, dwHh0),
      dbIh: added(dbIh, dbIh0),
      dbHh: added(dbHh, dbHh0),
    };
  });
}

const FWD = 1e-5;
const GRAD = 1e-4;

/** `nanPadding`: x has NaN in padding rows, which reach dx and dW_ih (documented); skip those two. */
function expectMatchesReference(p: Problem, got: ReturnType<typeof runKernels>, ldo: number, col: number, nanPadding = false) {
  const { T, B, H } = p;
  const want = refForward(p);
  expect(closeness(got.out, want.out, FWD, FWD)).toBeLessThanOrEqual(1);
  expect(closeness(got.hT, want.hT, FWD, FWD)).toBeLessThanOrEqual(1);
  expect(Array.from(got.outInference)).toEqual(Array.from(got.out));
  expect(Array.from(got.hTInference)).toEqual(Array.from(got.hT));
  for (let i = 0; i < T * B; i++) {
    for (let j = 0; j < ldo; j++) if (j < col || j >= col + H) expect(got.outAll[i * ldo + j]).toBe(-7);
  }
  const g = refBackward(p, got.dout, got.dhT);
  // Gradients sum over T·B float32 terms: scale the absolute tolerance with their count.
  const atol = GRAD * Math.max(1, Math.sqrt(T * B / 8));
  if (!nanPadding) expect(closeness(got.dx, g.dx, atol, GRAD)).toBeLessThanOrEqual(1);
  expect(closeness(got.dh0, g.dh0, atol, GRAD)).toBeLessThanOrEqual(1);
  if (!nanPadding) expect(closeness(got.dwIh, g.dwIh, atol, GRAD)).toBeLessThanOrEqual(1);
  expect(closeness(got.dwHh, g.dwHh, atol, GRAD)).toBeLessThanOrEqual(1);
  expect(closeness(got.dbIh, g.dbIh, atol, GRAD)).toBeLessThanOrEqual(1);
  expect(closeness(got.dbHh, g.dbHh, atol, GRAD)).toBeLessThanOrEqual(1);
}

interface Case {
  name: string;
  shape: { T: number; B: number; I: number; H: number };
  reverse?: boolean;
  bias?: boolean;
  lengths?: number[];
  h0?: boolean;
  ldo?: number;
  scale?: number;
  nanPadding?: boolean;
}

const cases: Case[] = [
  { name: 'T=1 B=1 I=1 H=1', shape: { T: 1, B: 1, I: 1, H: 1 } },
  { name: 'T=1 B=1 H=4 (one SIMD group, no tail)', shape: { T: 1, B: 1, I: 3, H: 4 }, h0: true },
  { name: 'H=5, mixed lengths with 0 and T, NaN in padding x', shape: { T: 5, B: 4, I: 4, H: 5 }, lengths: [5, 0, 2, 1], nanPadding: true },
  { name: 'H=7 reverse, lengths, h0', shape: { T: 4, B: 3, I: 6, H: 7 }, reverse: true, lengths: [4, 1, 0], h0: true },
  { name: 'H=8 without biases, I ≠ H', shape: { T: 3, B: 2, I: 11, H: 8 }, bias: false },
  { name: 'H=33, ldo > H, reverse, h0', shape: { T: 6, B: 3, I: 10, H: 33 }, reverse: true, h0: true, ldo: 41 },
  { name: 'B=1 long sequence', shape: { T: 13, B: 1, I: 2, H: 6 }, h0: true },
  { name: 'saturating gates (inputs ±100)', shape: { T: 4, B: 2, I: 3, H: 9 }, scale: 100, h0: true },
];

describe.each(VARIANTS)('GRU kernels (%s build)', (variant) => {
  for (const impl of ['simd', 'scalar'] as const) {
    for (const resetBefore of [false, true]) {
      const form = resetBefore ? 'reset-before (Cho)' : 'PyTorch';
      for (const c of cases) {
        it(`${impl} ${form}: ${c.name}`, () => {
          const c0 = core(variant);
          const p = makeProblem(c.shape, { seed: c.shape.T * 7 + c.shape.H, resetBefore, reverse: c.reverse, bias: c.bias, lengths: c.lengths, h0: c.h0, scale: c.scale });
          const got = runKernels(c0, p, { impl, ldo: c.ldo, nanPadding: c.nanPadding });
          expectMatchesReference(p, got, c.ldo ?? c.shape.H, 0, c.nanPadding);
          if (c.lengths) {
            // Padding rows of the output are zero and their input gradients too.
            for (let t = 0; t < c.shape.T; t++) {
              for (let b = 0; b < c.shape.B; b++) {
                if (t < c.lengths[b]) continue;
                const row = t * c.shape.B + b;
                expect(got.out.subarray(row * c.shape.H, (row + 1) * c.shape.H).every((v) => v === 0)).toBe(true);
                if (!c.nanPadding) expect(got.dx.subarray(row * c.shape.I, (row + 1) * c.shape.I).every((v) => v === 0)).toBe(true);
              }
            }
          }
          if (c.scale) expect(got.out.some((v) => Math.abs(v) > 0.999)).toBe(true);
        });
      }
      it(`${impl} ${form}: two directions fill the halves of one [T, B, 2H] output`, () => {
        const c0 = core(variant);
        const shape = { T: 5, B: 3, I: 4, H: 6 };
        for (const reverse of [false, true]) {
          const p = makeProblem(shape, { seed: 3, resetBefore, reverse, lengths: [5, 3, 1], h0: true });
          const col = reverse ? shape.H : 0;
          const got = runKernels(c0, p, { impl, ldo: 2 * shape.H, col });
          expectMatchesReference(p, got, 2 * shape.H, col);
        }
      });
    }
  }
  for (const resetBefore of [false, true]) {
    it(`absent gradients: only dhT, then only dout; no dx, dh0 or bias gradients wanted (resetBefore=${resetBefore})`, () => {
      const c0 = core(variant);
      const shape = { T: 4, B: 3, I: 5, H: 6 };
      const { T, B, I, H } = shape;
      const p = makeProblem(shape, { seed: 5, resetBefore, lengths: [4, 2, 3], h0: true });
      const random = rng(8);
      const dout = uniform(random, T * B * H);
      const dhT = uniform(random, B * H);
      for (const [gOut, gT] of [[null, dhT], [dout, null]] as const) {
        c0.arena.scope(() => {
          const f = (a: ArrayLike<number> | null) => (a ? c0.arena.fromF32(a) : 0);
          const ptrs = { x: f(p.x), wIh: f(p.wIh), wHh: f(p.wHh), lengths: c0.arena.fromI32(p.lengths!) };
          const ws = c0.arena.alloc(gruWorkspaceBytes(c0, T, B, I, H));
          gruForward(c0, { ...shape, resetBefore, ...ptrs, bIh: f(p.bIh), bHh: f(p.bHh), h0: f(p.h0), out: c0.arena.allocF32(T * B * H), ws });
          const dwIh = c0.arena.zerosF32(3 * H * I);
          const dwHh = c0.arena.zerosF32(3 * H * H);
          gruBackward(c0, { ...shape, resetBefore, ...ptrs, ws, dout: f(gOut), dhT: f(gT), dwIh, dwHh });
          const want = refBackward(p, gOut, gT);
          expect(closeness(c0.arena.readF32(dwIh, 3 * H * I), want.dwIh, GRAD, GRAD)).toBeLessThanOrEqual(1);
          expect(closeness(c0.arena.readF32(dwHh, 3 * H * H), want.dwHh, GRAD, GRAD)).toBeLessThanOrEqual(1);
          expect(want.dwHh.some((v) => Math.abs(v) > 1e-3)).toBe(true);
        });
      }
    });
  }
  it('B = 0 and I = 0 run without touching memory they do not own', () => {
    const c0 = core(variant);
    c0.arena.scope(() => {
      const H = 5;
      const w = c0.arena.fromF32(uniform(rng(4), 3 * H * H));
      const ws = c0.arena.alloc(gruWorkspaceBytes(c0, 3, 2, 0, H));
      const out = c0.arena.fromF32(new Float32Array(3 * 2 * H).fill(NaN));
      gruForward(c0, { T: 3, B: 0, I: 0, H, x: 0, wIh: 0, wHh: w, out: 0, ws: 0 });
      // I = 0: no input, the state still evolves from h0 through W_hh and the biases.
      const bias = c0.arena.fromF32(uniform(rng(6), 3 * H));
      gruForward(c0, { T: 3, B: 2, I: 0, H, x: 0, wIh: 0, wHh: w, bHh: bias, out, ws });
      const got = c0.arena.readF32(out, 3 * 2 * H);
      expect(got.every(Number.isFinite) && got.some((v) => v !== 0)).toBe(true);
      const p: Problem = { T: 3, B: 2, I: 0, H, reverse: false, resetBefore: false, x: [], wIh: [], wHh: c0.arena.readF32(w, 3 * H * H),
        bIh: null, bHh: c0.arena.readF32(bias, 3 * H), lengths: null, h0: null };
      expect(closeness(got, refForward(p).out, FWD, FWD)).toBeLessThanOrEqual(1);
    });
  });
  it('the SIMD kernel and its scalar twin agree closely on a larger shape', () => {
    const c0 = core(variant);
    const p = makeProblem({ T: 7, B: 5, I: 13, H: 37 }, { seed: 11, lengths: [7, 6, 2, 7, 0], h0: true });
    const a = runKernels(c0, p, { impl: 'simd' });
    const b = runKernels(c0, p, { impl: 'scalar' });
    expect(closeness(a.out, b.out, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    expect(closeness(a.dwHh, b.dwHh, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
  });
});

describe('GRU sizes', () => {
  it('the workspace holds 5·T·B·H floats', () => {
    const c0 = core();
    for (const [T, B, I, H] of [[1, 1, 1, 1], [3, 5, 7, 9], [64, 32, 256, 256], [0, 4, 3, 2]]) {
      expect(gruWorkspaceBytes(c0, T, B, I, H)).toBe(T * B * H * 20);
    }
  });
  it('T = 0 writes hT = h0 and dh0 = dhT', () => {
    const c0 = core();
    c0.arena.scope(() => {
      const H = 3, B = 2, I = 2;
      const h0 = c0.arena.fromF32([1, 2, 3, 4, 5, 6]);
      const hT = c0.arena.fromF32(new Float32Array(6).fill(NaN));
      const w = c0.arena.fromF32(new Float32Array(3 * H * H));
      gruForward(c0, { T: 0, B, I, H, x: c0.arena.base, wIh: w, wHh: w, h0, out: c0.arena.base, hT });
      expect(Array.from(c0.arena.readF32(hT, 6))).toEqual([1, 2, 3, 4, 5, 6]);
      const dh0 = c0.arena.fromF32(new Float32Array(6).fill(NaN));
      gruBackward(c0, { T: 0, B, I, H, x: c0.arena.base, wIh: w, wHh: w, ws: c0.arena.base, dhT: h0, dh0, dwIh: w, dwHh: w });
      expect(Array.from(c0.arena.readF32(dh0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });
});

describe('GRU input checks', () => {
  const c0 = core();
  const base = () => {
    const T = 2, B = 2, I = 3, H = 4;
    const buf = c0.arena.zerosF32(4096);
    const inputs = { T, B, I, H, x: buf, wIh: buf, wHh: buf, ws: buf };
    return { fwd: { ...inputs, out: buf }, bwd: { ...inputs, dwIh: buf, dwHh: buf } };
  };
  it('rejects bad sizes, flags and strides with E_ARGUMENT', () => {
    c0.arena.scope(() => {
      const { fwd, bwd } = base();
      expectEddyError(() => gruForward(c0, { ...fwd, T: -1 }), 'E_ARGUMENT', /gruForward: T must be an integer >= 0, got -1/);
      expectEddyError(() => gruForward(c0, { ...fwd, H: 0 }), 'E_ARGUMENT', /gruForward: H must be an integer >= 1, got 0/);
      expectEddyError(() => gruBackward(c0, { ...bwd, I: 1.5 }), 'E_ARGUMENT', /gruBackward: I must be an integer >= 0, got 1.5/);
      expectEddyError(() => gruForward(c0, { ...fwd, reverse: 1 as unknown as boolean }), 'E_ARGUMENT', /reverse must be a boolean, got 1/);
      expectEddyError(() => gruBackward(c0, { ...bwd, resetBefore: 'yes' as unknown as boolean }), 'E_ARGUMENT', /resetBefore must be a boolean, got "yes"/);
      expectEddyError(() => gruForward(c0, { ...fwd, ldo: 3 }), 'E_ARGUMENT', /ldo must be an integer >= 4/);
      expectEddyError(() => gruBackward(c0, { ...bwd, dout: fwd.x, lddo: 2 }), 'E_ARGUMENT', /lddo must be an integer >= 4/);
      expectEddyError(() => gruForward(c0, { ...fwd }, 'fast' as 'simd'), 'E_ARGUMENT', /impl must be 'simd' or 'scalar'/);
      expectEddyError(() => gruWorkspaceBytes(c0, 1 << 20, 1 << 10, 8, 1 << 10), 'E_ARGUMENT', /gruWorkspaceBytes: .* more than 4 GiB/);
    });
  });
  it('rejects lengths outside [0, T], naming the element', () => {
    c0.arena.scope(() => {
      const { fwd, bwd } = base();
      expectEddyError(() => gruForward(c0, { ...fwd, lengths: c0.arena.fromI32([2, 3]) }), 'E_ARGUMENT', /lengths\[1\] must be in \[0, T = 2\], got 3/);
      expectEddyError(() => gruBackward(c0, { ...bwd, lengths: c0.arena.fromI32([-1, 0]) }), 'E_ARGUMENT', /lengths\[0\] must be in \[0, T = 2\], got -1/);
    });
  });
  it('rejects pointers that overrun memory, are misaligned, or are missing', () => {
    c0.arena.scope(() => {
      const { fwd, bwd } = base();
      const end = c0.memory.buffer.byteLength;
      expectEddyError(() => gruForward(c0, { ...fwd, ws: end - 64 }), 'E_POINTER', /ws spans bytes/);
      expectEddyError(() => gruForward(c0, { ...fwd, out: end - 16, ldo: 9 }), 'E_POINTER', /out spans bytes/);
      expectEddyError(() => gruForward(c0, { ...fwd, h0: fwd.x + 2 }), 'E_POINTER', /h0 must be 4-byte aligned/);
      expectEddyError(() => gruBackward(c0, { ...bwd, ws: 0 }), 'E_ARGUMENT', /gruBackward: ws must be the workspace the forward filled/);
      expectEddyError(() => gruBackward(c0, { ...bwd, dx: end - 8 }), 'E_POINTER', /dx spans bytes/);
      expectEddyError(() => gruBackward(c0, { ...bwd, dbHh: -4 }), 'E_POINTER', /dbHh must be a byte offset/);
    });
  });
});
