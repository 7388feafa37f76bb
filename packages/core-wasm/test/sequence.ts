import { expect } from 'vitest';
import type { Core } from '../src/index.node.js';
import type { Impl } from '../src/validate.js';
import { closeness, rng, uniform } from './cores.js';

// Shared by the fused recurrent kernel suites (LSTM, Elman RNN): a float64 reference of the
// packed-sequence loop (time order, lengths, padding) around a per-element cell, its hand-written
// BPTT, a finite-difference check of that reference, and a harness that runs a kernel on the same
// data and compares every output and gradient.

/** A test case: sizes, flags, and which optional inputs are given. */
export interface SeqCase {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse?: boolean;
  /** Default true. */
  bias?: boolean;
  lengths?: number[];
  h0?: boolean;
  c0?: boolean;
  /** Row stride of out (default H) and of dout (default H). */
  ldo?: number;
  lddo?: number;
  /** Which output gradients are given (default all). */
  dout?: boolean;
  dhT?: boolean;
  dcT?: boolean;
  /** |x| range (default 1): 100 saturates every gate. */
  scale?: number;
  seed?: number;
}

/** One cell's step for one batch element, in float64. `a` holds all G·H pre-activations. */
export interface RefCell {
  /** Gate blocks per H (LSTM 4, RNN 1). */
  G: number;
  hasC: boolean;
  step(a: Float64Array, cPrev: Float64Array | null, H: number): { h: Float64Array; c: Float64Array | null; saved: unknown };
  /** Given ∂L/∂h and ∂L/∂c of the step's outputs: ∂L/∂a and ∂L/∂c_prev. */
  back(saved: unknown, dh: Float64Array, dc: Float64Array | null, cPrev: Float64Array | null, H: number): { da: Float64Array; dcPrev: Float64Array | null };
}

export interface SeqParams {
  x: ArrayLike<number>;
  wIh: ArrayLike<number>;
  wHh: ArrayLike<number>;
  bIh: ArrayLike<number> | null;
  bHh: ArrayLike<number> | null;
  h0: ArrayLike<number> | null;
  c0: ArrayLike<number> | null;
}

export interface SeqData extends SeqParams {
  x: Float32Array;
  wIh: Float32Array;
  wHh: Float32Array;
  bIh: Float32Array | null;
  bHh: Float32Array | null;
  h0: Float32Array | null;
  c0: Float32Array | null;
  lengths: number[];
  /** Output gradients, dout packed [T, B, H]. */
  dout: Float32Array | null;
  dhT: Float32Array | null;
  dcT: Float32Array | null;
}

export function makeData(cell: RefCell, c: SeqCase): SeqData {
  const { T, B, I, H } = c;
  const GH = cell.G * H;
  const random = rng(c.seed ?? T * 7919 + B * 104729 + I * 31 + H);
  const scale = c.scale ?? 1;
  const opt = (on: boolean | undefined, n: number, lo = -1, hi = 1) => (on ? uniform(random, n, lo, hi) : null);
  return {
    x: uniform(random, T * B * I, -scale, scale),
    wIh: uniform(random, GH * I, -0.7, 0.7),
    wHh: uniform(random, GH * H, -0.7, 0.7),
    bIh: opt(c.bias ?? true, GH, -0.5, 0.5),
    bHh: opt(c.bias ?? true, GH, -0.5, 0.5),
    h0: opt(c.h0, B * H),
    c0: opt(cell.hasC && c.c0, B * H, -2, 2),
    lengths: c.lengths ?? new Array<number>(B).fill(T),
    dout: opt(c.dout ?? true, T * B * H),
    dhT: opt(c.dhT ?? true, B * H),
    dcT: opt(cell.hasC && (c.dcT ?? true), B * H),
  };
}

interface TapeEntry {
  hPrev: Float64Array;
  cPrev: Float64Array | null;
  saved: unknown;
}

export interface RefForward {
  /** [T, B, H] packed. */
  out: Float64Array;
  hT: Float64Array;
  cT: Float64Array | null;
  tape: Map<number, TapeEntry>;
}

/** The packed-sequence loop around `cell` (PyTorch semantics: padding outputs 0, state carried). */
export function refForward(cell: RefCell, c: SeqCase, p: SeqParams, lengths: number[]): RefForward {
  const { T, B, I, H } = c;
  const GH = cell.G * H;
  const out = new Float64Array(T * B * H);
  const hT = new Float64Array(B * H);
  const cT = cell.hasC ? new Float64Array(B * H) : null;
  const tape = new Map<number, TapeEntry>();
  for (let b = 0; b < B; b++) {
    let h: Float64Array = Float64Array.from({ length: H }, (_, j) => (p.h0 ? p.h0[b * H + j] : 0));
    let cs: Float64Array | null = cell.hasC ? Float64Array.from({ length: H }, (_, j) => (p.c0 ? p.c0[b * H + j] : 0)) : null;
    for (let s = 0; s < T; s++) {
      const t = c.reverse ? T - 1 - s : s;
      if (t >= lengths[b]) continue;
      const a = new Float64Array(GH);
      for (let k = 0; k < GH; k++) {
        let acc = (p.bIh ? p.bIh[k] : 0) + (p.bHh ? p.bHh[k] : 0);
        for (let i = 0; i < I; i++) acc += p.wIh[k * I + i] * p.x[(t * B + b) * I + i];
        for (let j = 0; j < H; j++) acc += p.wHh[k * H + j] * h[j];
        a[k] = acc;
      }
      const next = cell.step(a, cs, H);
      tape.set(t * B + b, { hPrev: h, cPrev: cs, saved: next.saved });
      h = next.h;
      cs = next.c;
      out.set(h, (t * B + b) * H);
    }
    hT.set(h, b * H);
    if (cT && cs) cT.set(cs, b * H);
  }
  return { out, hT, cT, tape };
}

export interface RefGrads {
  dx: Float64Array;
  dh0: Float64Array;
  dc0: Float64Array | null;
  dwIh: Float64Array;
  dwHh: Float64Array;
  db: Float64Array;
}

/** Hand-written BPTT of `refForward`. */
export function refBackward(cell: RefCell, c: SeqCase, p: SeqParams, lengths: number[], fwd: RefForward, d: SeqData): RefGrads {
  const { T, B, I, H } = c;
  const GH = cell.G * H;
  const g: RefGrads = {
    dx: new Float64Array(T * B * I),
    dh0: new Float64Array(B * H),
    dc0: cell.hasC ? new Float64Array(B * H) : null,
    dwIh: new Float64Array(GH * I),
    dwHh: new Float64Array(GH * H),
    db: new Float64Array(GH),
  };
  for (let b = 0; b < B; b++) {
    let dh: Float64Array = Float64Array.from({ length: H }, (_, j) => (d.dhT ? d.dhT[b * H + j] : 0));
    let dc: Float64Array | null = cell.hasC ? Float64Array.from({ length: H }, (_, j) => (d.dcT ? d.dcT[b * H + j] : 0)) : null;
    for (let s = T - 1; s >= 0; s--) {
      const t = c.reverse ? T - 1 - s : s;
      if (t >= lengths[b]) continue;
      const e = fwd.tape.get(t * B + b)!;
      const dhTotal = dh.map((v, j) => v + (d.dout ? d.dout[(t * B + b) * H + j] : 0));
      const { da, dcPrev } = cell.back(e.saved, dhTotal, dc, e.cPrev, H);
      dc = dcPrev;
      dh = new Float64Array(H);
      for (let k = 0; k < GH; k++) {
        for (let j = 0; j < H; j++) {
          dh[j] += da[k] * p.wHh[k * H + j];
          g.dwHh[k * H + j] += da[k] * e.hPrev[j];
        }
        for (let i = 0; i < I; i++) {
          g.dx[(t * B + b) * I + i] += da[k] * p.wIh[k * I + i];
          g.dwIh[k * I + i] += da[k] * p.x[(t * B + b) * I + i];
        }
        g.db[k] += da[k];
      }
    }
    g.dh0.set(dh, b * H);
    if (g.dc0 && dc) g.dc0.set(dc, b * H);
  }
  return g;
}

/** L = Σ dout⊙out + Σ dhT⊙hT + Σ dcT⊙cT, whose gradient `refBackward` computes. */
function loss(cell: RefCell, c: SeqCase, p: SeqParams, d: SeqData): number {
  const f = refForward(cell, c, p, d.lengths);
  let l = 0;
  if (d.dout) f.out.forEach((v, i) => (l += v * d.dout![i]));
  if (d.dhT) f.hT.forEach((v, i) => (l += v * d.dhT![i]));
  if (d.dcT && f.cT) f.cT.forEach((v, i) => (l += v * d.dcT![i]));
  return l;
}

/** Proves the oracle: every analytic gradient of the reference against central differences. */
export function checkReferenceByFiniteDifferences(cell: RefCell, c: SeqCase): void {
  const d = makeData(cell, c);
  const grads = refBackward(cell, c, d, d.lengths, refForward(cell, c, d, d.lengths), d);
  const eps = 1e-6;
  const params: Array<[keyof SeqParams, ArrayLike<number> | null]> = [
    ['x', grads.dx], ['wIh', grads.dwIh], ['wHh', grads.dwHh], ['bIh', grads.db], ['bHh', grads.db],
    ['h0', grads.dh0], ['c0', grads.dc0],
  ];
  let checked = 0;
  for (const [name, analytic] of params) {
    const base = d[name];
    if (!base || !analytic) continue;
    const numeric = new Float64Array(base.length);
    for (let k = 0; k < base.length; k++) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[k] += eps;
      minus[k] -= eps;
      numeric[k] = (loss(cell, c, { ...d, [name]: plus }, d) - loss(cell, c, { ...d, [name]: minus }, d)) / (2 * eps);
    }
    expect(closeness(analytic, numeric, 1e-6, 1e-6), name).toBeLessThanOrEqual(1);
    checked++;
  }
  expect(checked).toBeGreaterThanOrEqual(5);
}

/** Pointers of one call, as the wrappers take them (0 = absent). */
export interface SeqPointers {
  x: number;
  wIh: number;
  wHh: number;
  bIh: number;
  bHh: number;
  lengths: number;
  h0: number;
  c0: number;
  out: number;
  ldo: number;
  hT: number;
  cT: number;
  ws: number;
  dout: number;
  lddo: number;
  dhT: number;
  dcT: number;
  dx: number;
  dh0: number;
  dc0: number;
  dwIh: number;
  dwHh: number;
  dbIh: number;
  dbHh: number;
}

/** How a suite calls its kernel's wrappers. */
export interface SeqKernel {
  workspaceBytes(core: Core, c: SeqCase): number;
  forward(core: Core, c: SeqCase, p: SeqPointers, impl: Impl): void;
  backward(core: Core, c: SeqCase, p: SeqPointers, impl: Impl): void;
}

const SENTINEL = 12345.5;

/**
 * Runs forward + backward on `c` and checks out, hT, cT, dx, dh0, dc0 and the accumulated weight
 * and bias gradients against the reference, and that out's padding columns stay untouched.
 */
export function checkKernelAgainstReference(core: Core, cell: RefCell, kernel: SeqKernel, c: SeqCase, impl: Impl): void {
  const { T, B, I, H } = c;
  const GH = cell.G * H;
  const d = makeData(cell, c);
  const fwd = refForward(cell, c, d, d.lengths);
  const grads = refBackward(cell, c, d, d.lengths, fwd, d);
  const ldo = c.ldo ?? H;
  const lddo = c.lddo ?? H;
  const random = rng(99);
  const prefill = {
    dwIh: uniform(random, GH * I),
    dwHh: uniform(random, GH * H),
    dbIh: uniform(random, GH),
    dbHh: uniform(random, GH),
  };
  const { arena } = core;
  arena.scope(() => {
    const opt = (a: Float32Array | null) => (a ? arena.fromF32(a) : 0);
    const strided = (a: Float32Array, ld: number, fill: number) => {
      const m = new Float32Array(Math.max(T * B * ld, 1)).fill(fill);
      for (let r = 0; r < T * B; r++) m.set(a.subarray(r * H, (r + 1) * H), r * ld);
      return arena.fromF32(m);
    };
    const hasBias = c.bias ?? true;
    const p: SeqPointers = {
      x: arena.fromF32(d.x),
      wIh: arena.fromF32(d.wIh),
      wHh: arena.fromF32(d.wHh),
      bIh: opt(d.bIh),
      bHh: opt(d.bHh),
      lengths: c.lengths ? arena.fromI32(c.lengths) : 0,
      h0: opt(d.h0),
      c0: opt(d.c0),
      out: strided(new Float32Array(T * B * H).fill(NaN), ldo, SENTINEL),
      ldo,
      hT: arena.fromF32(new Float32Array(B * H).fill(NaN)),
      cT: cell.hasC ? arena.fromF32(new Float32Array(B * H).fill(NaN)) : 0,
      ws: arena.alloc(kernel.workspaceBytes(core, c)),
      // NaN in dout at padding steps must not leak: those outputs are constants.
      dout: d.dout ? strided(padWithNaN(d.dout, c, d.lengths), lddo, NaN) : 0,
      lddo,
      dhT: opt(d.dhT),
      dcT: opt(d.dcT),
      dx: arena.fromF32(new Float32Array(T * B * I).fill(NaN)),
      dh0: arena.fromF32(new Float32Array(B * H).fill(NaN)),
      dc0: cell.hasC ? arena.fromF32(new Float32Array(B * H).fill(NaN)) : 0,
      dwIh: arena.fromF32(prefill.dwIh),
      dwHh: arena.fromF32(prefill.dwHh),
      dbIh: hasBias ? arena.fromF32(prefill.dbIh) : 0,
      dbHh: hasBias ? arena.fromF32(prefill.dbHh) : 0,
    };
    kernel.forward(core, c, p, impl);
    kernel.backward(core, c, p, impl);

    const outAll = arena.readF32(p.out, T * B * ldo);
    const out = new Float32Array(T * B * H);
    for (let r = 0; r < T * B; r++) {
      out.set(outAll.subarray(r * ldo, r * ldo + H), r * H);
      for (let j = H; j < ldo; j++) expect(outAll[r * ldo + j]).toBe(SENTINEL);
    }
    const fwdTol = [1e-5, 1e-5] as const;
    const gradTol = [1e-4, 1e-4] as const;
    expect(closeness(out, fwd.out, ...fwdTol), 'out').toBeLessThanOrEqual(1);
    expect(closeness(arena.readF32(p.hT, B * H), fwd.hT, ...fwdTol), 'hT').toBeLessThanOrEqual(1);
    if (fwd.cT) expect(closeness(arena.readF32(p.cT, B * H), fwd.cT, ...fwdTol), 'cT').toBeLessThanOrEqual(1);
    expect(closeness(arena.readF32(p.dx, T * B * I), grads.dx, ...gradTol), 'dx').toBeLessThanOrEqual(1);
    expect(closeness(arena.readF32(p.dh0, B * H), grads.dh0, ...gradTol), 'dh0').toBeLessThanOrEqual(1);
    if (grads.dc0) expect(closeness(arena.readF32(p.dc0, B * H), grads.dc0, ...gradTol), 'dc0').toBeLessThanOrEqual(1);
    const plus = (a: Float32Array, b: Float64Array) => Float64Array.from(b, (v, i) => v + a[i]);
    expect(closeness(arena.readF32(p.dwIh, GH * I), plus(prefill.dwIh, grads.dwIh), ...gradTol), 'dwIh').toBeLessThanOrEqual(1);
    expect(closeness(arena.readF32(p.dwHh, GH * H), plus(prefill.dwHh, grads.dwHh), ...gradTol), 'dwHh').toBeLessThanOrEqual(1);
    if (hasBias) {
      expect(closeness(arena.readF32(p.dbIh, GH), plus(prefill.dbIh, grads.db), ...gradTol), 'dbIh').toBeLessThanOrEqual(1);
      expect(closeness(arena.readF32(p.dbHh, GH), plus(prefill.dbHh, grads.db), ...gradTol), 'dbHh').toBeLessThanOrEqual(1);
    }
  });
}

/** dout with NaN written at every padding step (the kernel must ignore those rows). */
function padWithNaN(dout: Float32Array, c: SeqCase, lengths: number[]): Float32Array {
  const r = Float32Array.from(dout);
  for (let t = 0; t < c.T; t++) {
    for (let b = 0; b < c.B; b++) if (t >= lengths[b]) r.fill(NaN, (t * c.B + b) * c.H, (t * c.B + b + 1) * c.H);
  }
  return r;
}

/** The cases every recurrent suite runs (sizes, flags, lengths, strides, saturation). */
export const SEQ_CASES: SeqCase[] = [
  { T: 1, B: 1, I: 3, H: 5 },
  { T: 1, B: 3, I: 4, H: 4, reverse: true, lengths: [0, 1, 1], h0: true, c0: true },
  { T: 4, B: 3, I: 5, H: 4, reverse: true, h0: true, c0: true },
  { T: 5, B: 4, I: 3, H: 7, bias: false, lengths: [5, 0, 2, 3], ldo: 10, dhT: false },
  { T: 6, B: 3, I: 6, H: 8, reverse: true, lengths: [1, 6, 4], h0: true, c0: true, lddo: 11, dcT: false },
  { T: 3, B: 2, I: 9, H: 33, lengths: [3, 1], ldo: 37, lddo: 41, h0: true },
  { T: 7, B: 1, I: 2, H: 5, dout: false, c0: true },
  { T: 2, B: 5, I: 2, H: 6, scale: 100, h0: true, c0: true },
  { T: 3, B: 2, I: 4, H: 9, reverse: true, scale: 100, lengths: [2, 3] },
];
