import { describe, expect, it } from 'vitest';
import {
  add, axpy, gruBackward, gruForward, gruWorkspaceBytes, lstmBackward, lstmForward, lstmWorkspaceBytes, mul, relu,
  reluBackward, rnnBackward, rnnForward, rnnWorkspaceBytes, sgemm, sigmoid, sigmoidBackward, sub, tanh, tanhBackward,
  type Core, type LstmBackwardArgs, type LstmForwardArgs,
} from '../src/index.node.js';
import type { Impl } from '../src/validate.js';
import { closeness, core, rng, uniform, VARIANTS } from './cores.js';

// The fused sequence kernels against a per-step composition of the core's own separate kernels:
// sgemm for the input and hidden products, sigmoid/tanh/relu/mul/add/sub for the gates and the
// state update, and sigmoidBackward/tanhBackward/reluBackward/mul/axpy/sgemm for a hand-driven BPTT.
// Lengths are handled by 0/1 masks. This is an independent path through different kernels (no
// float64 reference involved), written plainly: one kernel call per operation.

/** Thin float32 ops on [B, H] blocks of the arena, each one core kernel call. */
class Ops {
  constructor(readonly c: Core, readonly impl: Impl, readonly B: number, readonly H: number) {}
  get n(): number {
    return this.B * this.H;
  }
  alloc(): number {
    return this.c.arena.zerosF32(this.n);
  }
  add(a: number, b: number): number {
    const out = this.alloc();
    add(this.c, { n: this.n, a, b, out }, this.impl);
    return out;
  }
  sub(a: number, b: number): number {
    const out = this.alloc();
    sub(this.c, { n: this.n, a, b, out }, this.impl);
    return out;
  }
  mul(a: number, b: number): number {
    const out = this.alloc();
    mul(this.c, { n: this.n, a, b, out }, this.impl);
    return out;
  }
  act(kind: 'sigmoid' | 'tanh' | 'relu', x: number): number {
    const out = this.alloc();
    ({ sigmoid, tanh, relu })[kind](this.c, { n: this.n, x, out }, this.impl);
    return out;
  }
  /** ∂L/∂(pre-activation) from the activation's output y (sigmoid, tanh) or input x (relu). */
  actBack(kind: 'sigmoid' | 'tanh' | 'relu', v: number, dy: number): number {
    const dx = this.alloc();
    if (kind === 'sigmoid') sigmoidBackward(this.c, { n: this.n, y: v, dy, dx }, this.impl);
    else if (kind === 'tanh') tanhBackward(this.c, { n: this.n, y: v, dy, dx }, this.impl);
    else reluBackward(this.c, { n: this.n, x: v, dy, dx }, this.impl);
    return dx;
  }
  /** C (m×n, row stride ldc) = op(A)·op(B) + β·C. */
  gemm(o: { transA?: boolean; transB?: boolean; m: number; n: number; k: number; a: number; lda: number; b: number; ldb: number; c: number; ldc: number; beta: number }): void {
    sgemm(this.c, { ...o, transA: o.transA ?? false, transB: o.transB ?? false }, this.impl);
  }
  /** a·W_gᵀ for gate block g of W (rows g·H … g·H + H − 1, each `k` wide), plus `into` if given. */
  project(a: number, k: number, w: number, g: number, into = 0): number {
    const out = into || this.alloc();
    const { B, H } = this;
    this.gemm({ transB: true, m: B, n: H, k, a, lda: k, b: w + g * H * k * 4, ldb: k, c: out, ldc: H, beta: into ? 1 : 0 });
    return out;
  }
}

/** Pointers of one step's inputs (x_t [B, I], the state entering it [B, H]) and the weights. */
interface StepIn {
  x: number;
  h: number;
  c: number;
  I: number;
  wIh: number;
  wHh: number;
  /** Bias blocks repeated over the batch: [G][B, H] (0 = no bias). */
  bIh: number[];
  bHh: number[];
}

/** One gate block's pre-activation gradient: input side, hidden side and what W_hh multiplied. */
interface GateGrad {
  g: number;
  dIn: number;
  dHid: number;
  hSrc: number;
  /** Whether dHid·W_hh,g flows into ∂L/∂h (not for the Cho n gate, whose product takes r ⊙ h). */
  toH?: boolean;
}

interface CompCell {
  G: number;
  hasC: boolean;
  forward(ops: Ops, s: StepIn): { h: number; c: number; saved: Record<string, number> };
  /** From ∂L/∂h′, ∂L/∂c′ of the valid step: the gate gradients, the direct ∂L/∂h (0 = none), ∂L/∂c. */
  backward(ops: Ops, s: StepIn, saved: Record<string, number>, dh: number, dc: number): { gates: GateGrad[]; dh: number; dc: number };
}

/** x·W_ih,gᵀ + b_ih,g + h·W_hh,gᵀ + b_hh,g. */
function preActivation(ops: Ops, s: StepIn, g: number): number {
  let a = ops.project(s.x, s.I, s.wIh, g);
  ops.project(s.h, ops.H, s.wHh, g, a);
  if (s.bIh[g]) a = ops.add(a, s.bIh[g]);
  if (s.bHh[g]) a = ops.add(a, s.bHh[g]);
  return a;
}

const LSTM: CompCell = {
  G: 4,
  hasC: true,
  forward(ops, s) {
    const i = ops.act('sigmoid', preActivation(ops, s, 0));
    const f = ops.act('sigmoid', preActivation(ops, s, 1));
    const g = ops.act('tanh', preActivation(ops, s, 2));
    const o = ops.act('sigmoid', preActivation(ops, s, 3));
    const c = ops.add(ops.mul(f, s.c), ops.mul(i, g));
    const tc = ops.act('tanh', c);
    return { h: ops.mul(o, tc), c, saved: { i, f, g, o, tc } };
  },
  backward(ops, s, { i, f, g, o, tc }, dh, dc) {
    const dcT = ops.add(dc, ops.actBack('tanh', tc, ops.mul(dh, o)));
    const gates = [
      ops.actBack('sigmoid', i, ops.mul(dcT, g)),
      ops.actBack('sigmoid', f, ops.mul(dcT, s.c)),
      ops.actBack('tanh', g, ops.mul(dcT, i)),
      ops.actBack('sigmoid', o, ops.mul(dh, tc)),
    ].map((d, k) => ({ g: k, dIn: d, dHid: d, hSrc: s.h }));
    return { gates, dh: 0, dc: ops.mul(dcT, f) };
  },
};

function gruCell(resetBefore: boolean): CompCell {
  return {
    G: 3,
    hasC: false,
    forward(ops, s) {
      const r = ops.act('sigmoid', preActivation(ops, s, 0));
      const z = ops.act('sigmoid', preActivation(ops, s, 1));
      let an = ops.project(s.x, s.I, s.wIh, 2);
      if (s.bIh[2]) an = ops.add(an, s.bIh[2]);
      let ghn: number;
      let rh = 0;
      if (resetBefore) {
        rh = ops.mul(r, s.h);
        ghn = ops.project(rh, ops.H, s.wHh, 2);
        if (s.bHh[2]) ghn = ops.add(ghn, s.bHh[2]);
        an = ops.add(an, ghn);
      } else {
        ghn = ops.project(s.h, ops.H, s.wHh, 2);
        if (s.bHh[2]) ghn = ops.add(ghn, s.bHh[2]);
        an = ops.add(an, ops.mul(r, ghn));
      }
      const n = ops.act('tanh', an);
      // h′ = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
      const h = ops.add(n, ops.mul(z, ops.sub(s.h, n)));
      return { h, c: 0, saved: { r, z, n, ghn, rh } };
    },
    backward(ops, s, { r, z, n, ghn, rh }, dh) {
      const ones = ops.c.arena.fromF32(new Float32Array(ops.n).fill(1));
      const dAn = ops.actBack('tanh', n, ops.mul(dh, ops.sub(ones, z)));
      const dAz = ops.actBack('sigmoid', z, ops.mul(dh, ops.sub(s.h, n)));
      let dhDirect = ops.mul(dh, z);
      let dAr: number;
      let nGate: GateGrad;
      if (resetBefore) {
        // d(r ⊙ h) = dâ_n·W_hn
        const dRh = ops.alloc();
        ops.gemm({ m: ops.B, n: ops.H, k: ops.H, a: dAn, lda: ops.H, b: s.wHh + 2 * ops.H * ops.H * 4, ldb: ops.H, c: dRh, ldc: ops.H, beta: 0 });
        dAr = ops.actBack('sigmoid', r, ops.mul(dRh, s.h));
        dhDirect = ops.add(dhDirect, ops.mul(dRh, r));
        nGate = { g: 2, dIn: dAn, dHid: dAn, hSrc: rh, toH: false };
      } else {
        dAr = ops.actBack('sigmoid', r, ops.mul(dAn, ghn));
        nGate = { g: 2, dIn: dAn, dHid: ops.mul(dAn, r), hSrc: s.h };
      }
      const gates = [{ g: 0, dIn: dAr, dHid: dAr, hSrc: s.h }, { g: 1, dIn: dAz, dHid: dAz, hSrc: s.h }, nGate];
      return { gates, dh: dhDirect, dc: 0 };
    },
  };
}

function rnnCell(useRelu: boolean): CompCell {
  return {
    G: 1,
    hasC: false,
    forward(ops, s) {
      const a = preActivation(ops, s, 0);
      return { h: ops.act(useRelu ? 'relu' : 'tanh', a), c: 0, saved: { a } };
    },
    backward(ops, s, { a }, dh) {
      // ReLU' from the pre-activation, tanh' from the output: recompute tanh(a) with the same kernel.
      const d = useRelu ? ops.actBack('relu', a, dh) : ops.actBack('tanh', ops.act('tanh', a), dh);
      return { gates: [{ g: 0, dIn: d, dHid: d, hSrc: s.h }], dh: 0, dc: 0 };
    },
  };
}

interface Case {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse?: boolean;
  lengths?: number[];
  init?: boolean;
}

interface Data {
  x: Float32Array;
  wIh: Float32Array;
  wHh: Float32Array;
  bIh: Float32Array;
  bHh: Float32Array;
  h0: Float32Array | null;
  c0: Float32Array | null;
  lengths: number[];
  dout: Float32Array;
  dhT: Float32Array;
  dcT: Float32Array | null;
}

function makeData(cell: CompCell, c: Case): Data {
  const { T, B, I, H } = c;
  const GH = cell.G * H;
  const random = rng(T * 1009 + B * 101 + I * 11 + H);
  return {
    x: uniform(random, T * B * I, -1.5, 1.5),
    wIh: uniform(random, GH * I, -0.6, 0.6),
    wHh: uniform(random, GH * H, -0.6, 0.6),
    bIh: uniform(random, GH, -0.4, 0.4),
    bHh: uniform(random, GH, -0.4, 0.4),
    h0: c.init ? uniform(random, B * H) : null,
    c0: c.init && cell.hasC ? uniform(random, B * H, -2, 2) : null,
    lengths: c.lengths ?? new Array<number>(B).fill(T),
    dout: uniform(random, T * B * H),
    dhT: uniform(random, B * H),
    dcT: cell.hasC ? uniform(random, B * H) : null,
  };
}

/** Everything a forward + backward produces, as float32 arrays. */
interface Result {
  out: Float32Array;
  hT: Float32Array;
  cT: Float32Array | null;
  dx: Float32Array;
  dh0: Float32Array;
  dc0: Float32Array | null;
  dwIh: Float32Array;
  dwHh: Float32Array;
  dbIh: Float32Array;
  dbHh: Float32Array;
}

/** The whole sequence as a TypeScript loop over per-step compositions of the core's kernels. */
function composed(c0: Core, cell: CompCell, c: Case, d: Data, impl: Impl): Result {
  const { T, B, I, H } = c;
  const { arena } = c0;
  const ops = new Ops(c0, impl, B, H);
  return arena.scope(() => {
    const x = arena.fromF32(d.x);
    const wIh = arena.fromF32(d.wIh);
    const wHh = arena.fromF32(d.wHh);
    const repeat = (bias: Float32Array, g: number) => {
      const m = new Float32Array(B * H);
      for (let b = 0; b < B; b++) m.set(bias.subarray(g * H, (g + 1) * H), b * H);
      return arena.fromF32(m);
    };
    const gates = Array.from({ length: cell.G }, (_, g) => g);
    const bIh = gates.map((g) => repeat(d.bIh, g));
    const bHh = gates.map((g) => repeat(d.bHh, g));
    const masks = Array.from({ length: T }, (_, t) => {
      const m = new Float32Array(B * H);
      for (let b = 0; b < B; b++) if (t < d.lengths[b]) m.fill(1, b * H, (b + 1) * H);
      return { on: arena.fromF32(m), off: arena.fromF32(m.map((v) => 1 - v)) };
    });
    const step = (t: number, h: number, cs: number): StepIn => ({ x: x + t * B * I * 4, h, c: cs, I, wIh, wHh, bIh, bHh });

    // Forward: on padding rows the output is 0 and the state is carried (m ⊙ new + (1 − m) ⊙ old).
    let h = d.h0 ? arena.fromF32(d.h0) : ops.alloc();
    let cs = d.c0 ? arena.fromF32(d.c0) : ops.alloc();
    const out = arena.zerosF32(T * B * H);
    const tape = new Map<number, { s: StepIn; saved: Record<string, number> }>();
    for (let k = 0; k < T; k++) {
      const t = c.reverse ? T - 1 - k : k;
      const { on, off } = masks[t];
      const s = step(t, h, cs);
      const next = cell.forward(ops, s);
      tape.set(t, { s, saved: next.saved });
      mul(c0, { n: B * H, a: on, b: next.h, out: out + t * B * H * 4 }, impl);
      h = ops.add(ops.mul(on, next.h), ops.mul(off, h));
      if (cell.hasC) cs = ops.add(ops.mul(on, next.c), ops.mul(off, cs));
    }
    const hT = arena.readF32(h, B * H);
    const cT = cell.hasC ? arena.readF32(cs, B * H) : null;

    // Backward through time, in reverse processing order.
    const GH = cell.G * H;
    const dx = arena.zerosF32(T * B * I);
    const dwIh = arena.zerosF32(GH * I);
    const dwHh = arena.zerosF32(GH * H);
    const dbIh = arena.zerosF32(GH);
    const dbHh = arena.zerosF32(GH);
    const dout = arena.fromF32(d.dout);
    let dh = arena.fromF32(d.dhT);
    let dc = d.dcT ? arena.fromF32(d.dcT) : ops.alloc();
    for (let k = T - 1; k >= 0; k--) {
      const t = c.reverse ? T - 1 - k : k;
      const { on, off } = masks[t];
      const { s, saved } = tape.get(t)!;
      const dhStep = ops.mul(on, ops.add(dh, dout + t * B * H * 4));
      const dcStep = cell.hasC ? ops.mul(on, dc) : 0;
      const back = cell.backward(ops, s, saved, dhStep, dcStep);
      const dhPrev = ops.mul(off, dh);
      if (back.dh) axpy(c0, { n: B * H, alpha: 1, x: back.dh, y: dhPrev }, impl);
      const xt = s.x;
      const dxt = dx + t * B * I * 4;
      for (const { g, dIn, dHid, hSrc, toH } of back.gates) {
        if (toH ?? true) ops.gemm({ m: B, n: H, k: H, a: dHid, lda: H, b: wHh + g * H * H * 4, ldb: H, c: dhPrev, ldc: H, beta: 1 });
        ops.gemm({ m: B, n: I, k: H, a: dIn, lda: H, b: wIh + g * H * I * 4, ldb: I, c: dxt, ldc: I, beta: 1 });
        ops.gemm({ transA: true, m: H, n: I, k: B, a: dIn, lda: H, b: xt, ldb: I, c: dwIh + g * H * I * 4, ldc: I, beta: 1 });
        ops.gemm({ transA: true, m: H, n: H, k: B, a: dHid, lda: H, b: hSrc, ldb: H, c: dwHh + g * H * H * 4, ldc: H, beta: 1 });
        for (let b = 0; b < B; b++) {
          axpy(c0, { n: H, alpha: 1, x: dIn + b * H * 4, y: dbIh + g * H * 4 }, impl);
          axpy(c0, { n: H, alpha: 1, x: dHid + b * H * 4, y: dbHh + g * H * 4 }, impl);
        }
      }
      dh = dhPrev;
      if (cell.hasC) dc = ops.add(back.dc, ops.mul(off, dc));
    }
    return {
      out: arena.readF32(out, T * B * H),
      hT,
      cT,
      dx: arena.readF32(dx, T * B * I),
      dh0: arena.readF32(dh, B * H),
      dc0: cell.hasC ? arena.readF32(dc, B * H) : null,
      dwIh: arena.readF32(dwIh, GH * I),
      dwHh: arena.readF32(dwHh, GH * H),
      dbIh: arena.readF32(dbIh, GH),
      dbHh: arena.readF32(dbHh, GH),
    };
  });
}

/** How to call one fused kernel pair (the flags of its cell folded in). */
interface Fused {
  cell: CompCell;
  wsBytes(core: Core, T: number, B: number, I: number, H: number): number;
  /** The LSTM's arguments are a superset of the others' (`hOnly` drops c0, cT, dcT, dc0 for GRU and RNN). */
  forward(core: Core, args: LstmForwardArgs, impl: Impl): void;
  backward(core: Core, args: LstmBackwardArgs, impl: Impl): void;
}

/** The LSTM's arguments without its cell state, for the cells that have none (they reject unknown keys). */
function hOnly<A extends LstmForwardArgs | LstmBackwardArgs>(args: A) {
  const { c0: _c0, cT: _cT, dcT: _dcT, dc0: _dc0, ...rest } = args as LstmForwardArgs & LstmBackwardArgs;
  return rest;
}

const FUSED: Record<string, Fused> = {
  LSTM: {
    cell: LSTM,
    wsBytes: lstmWorkspaceBytes,
    forward: (c0, a, impl) => lstmForward(c0, a, impl),
    backward: (c0, a, impl) => lstmBackward(c0, a, impl),
  },
  'GRU (PyTorch)': {
    cell: gruCell(false),
    wsBytes: gruWorkspaceBytes,
    forward: (c0, a, impl) => gruForward(c0, hOnly(a), impl),
    backward: (c0, a, impl) => gruBackward(c0, hOnly(a), impl),
  },
  'GRU (reset before, Cho)': {
    cell: gruCell(true),
    wsBytes: gruWorkspaceBytes,
    forward: (c0, a, impl) => gruForward(c0, { ...hOnly(a), resetBefore: true }, impl),
    backward: (c0, a, impl) => gruBackward(c0, { ...hOnly(a), resetBefore: true }, impl),
  },
  'RNN (tanh)': {
    cell: rnnCell(false),
    wsBytes: rnnWorkspaceBytes,
    forward: (c0, a, impl) => rnnForward(c0, hOnly(a), impl),
    backward: (c0, a, impl) => rnnBackward(c0, hOnly(a), impl),
  },
  'RNN (ReLU)': {
    cell: rnnCell(true),
    wsBytes: rnnWorkspaceBytes,
    forward: (c0, a, impl) => rnnForward(c0, { ...hOnly(a), relu: true }, impl),
    backward: (c0, a, impl) => rnnBackward(c0, { ...hOnly(a), relu: true }, impl),
  },
};

/** One fused forward + backward call on the same data, gradients accumulated into zeros. */
function fused(c0: Core, k: Fused, c: Case, d: Data, impl: Impl): Result {
  const { T, B, I, H } = c;
  const GH = k.cell.G * H;
  const { arena } = c0;
  return arena.scope(() => {
    const f = (a: Float32Array | null) => (a ? arena.fromF32(a) : 0);
    const nan = (n: number) => arena.fromF32(new Float32Array(n).fill(NaN));
    const common = {
      T, B, I, H, reverse: c.reverse ?? false, x: f(d.x), wIh: f(d.wIh), wHh: f(d.wHh),
      lengths: c.lengths ? arena.fromI32(c.lengths) : 0, ws: arena.alloc(k.wsBytes(c0, T, B, I, H)),
    };
    const p = {
      out: nan(T * B * H), hT: nan(B * H), cT: k.cell.hasC ? nan(B * H) : 0,
      dx: nan(T * B * I), dh0: nan(B * H), dc0: k.cell.hasC ? nan(B * H) : 0,
      dwIh: arena.zerosF32(GH * I), dwHh: arena.zerosF32(GH * H), dbIh: arena.zerosF32(GH), dbHh: arena.zerosF32(GH),
    };
    k.forward(c0, { ...common, bIh: f(d.bIh), bHh: f(d.bHh), h0: f(d.h0), c0: f(d.c0), out: p.out, hT: p.hT, cT: p.cT }, impl);
    k.backward(c0, {
      ...common, dout: f(d.dout), dhT: f(d.dhT), dcT: f(d.dcT), dx: p.dx, dh0: p.dh0, dc0: p.dc0,
      dwIh: p.dwIh, dwHh: p.dwHh, dbIh: p.dbIh, dbHh: p.dbHh,
    }, impl);
    return {
      out: arena.readF32(p.out, T * B * H),
      hT: arena.readF32(p.hT, B * H),
      cT: k.cell.hasC ? arena.readF32(p.cT, B * H) : null,
      dx: arena.readF32(p.dx, T * B * I),
      dh0: arena.readF32(p.dh0, B * H),
      dc0: k.cell.hasC ? arena.readF32(p.dc0, B * H) : null,
      dwIh: arena.readF32(p.dwIh, GH * I),
      dwHh: arena.readF32(p.dwHh, GH * H),
      dbIh: arena.readF32(p.dbIh, GH),
      dbHh: arena.readF32(p.dbHh, GH),
    };
  });
}

const CASES: Case[] = [
  { T: 7, B: 3, I: 5, H: 6 },
  { T: 7, B: 3, I: 5, H: 8, reverse: true, lengths: [7, 2, 5], init: true },
  { T: 6, B: 4, I: 3, H: 4, lengths: [6, 0, 3, 1], init: true },
  { T: 5, B: 2, I: 7, H: 9, reverse: true, lengths: [3, 5] },
];

const label = (c: Case) =>
  `T=${c.T} B=${c.B} I=${c.I} H=${c.H}${c.reverse ? ' reverse' : ''}${c.lengths ? ` lengths=[${c.lengths}]` : ''}${c.init ? ' h0' : ''}`;

describe.each(VARIANTS)('fused sequence kernels vs a per-step composition of the elementwise kernels (%s build)', (variant) => {
  for (const [name, k] of Object.entries(FUSED)) {
    for (const impl of ['simd', 'scalar'] as const) {
      for (const c of CASES) {
        it(`${name} ${impl}: ${label(c)}`, () => {
          const c0 = core(variant);
          const d = makeData(k.cell, c);
          const want = composed(c0, k.cell, c, d, impl);
          const got = fused(c0, k, c, d, impl);
          const fwd = [1e-5, 1e-5] as const;
          const grad = [1e-4, 1e-4] as const;
          expect(closeness(got.out, want.out, ...fwd), 'out').toBeLessThanOrEqual(1);
          expect(closeness(got.hT, want.hT, ...fwd), 'hT').toBeLessThanOrEqual(1);
          if (want.cT) expect(closeness(got.cT!, want.cT, ...fwd), 'cT').toBeLessThanOrEqual(1);
          for (const key of ['dx', 'dh0', 'dc0', 'dwIh', 'dwHh', 'dbIh', 'dbHh'] as const) {
            const w = want[key];
            if (w) expect(closeness(got[key]!, w, ...grad), key).toBeLessThanOrEqual(1);
          }
          // The comparison is not vacuous: the composition produced live values everywhere it should.
          expect(want.dwHh.some((v) => Math.abs(v) > 1e-3)).toBe(true);
          expect(want.out.every(Number.isFinite) && want.dx.every(Number.isFinite)).toBe(true);
        });
      }
    }
  }
});
