import { describe, expect, it } from 'vitest';
import { lstmBackward, lstmForward, lstmWorkspaceBytes, type Core } from '../src/index.node.js';
import { closeness, core, rng, uniform, expectEddyError, VARIANTS } from './cores.js';
import {
  checkKernelAgainstReference, checkReferenceByFiniteDifferences, refForward, SEQ_CASES,
  type RefCell, type SeqCase, type SeqKernel,
} from './sequence.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** float64 LSTM cell, gates i|f|g|o (PyTorch). */
const LSTM: RefCell = {
  G: 4,
  hasC: true,
  step(a, cPrev, H) {
    const i = new Float64Array(H), f = new Float64Array(H), g = new Float64Array(H), o = new Float64Array(H);
    const c = new Float64Array(H), tc = new Float64Array(H), h = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      i[j] = sigmoid(a[j]);
      f[j] = sigmoid(a[H + j]);
      g[j] = Math.tanh(a[2 * H + j]);
      o[j] = sigmoid(a[3 * H + j]);
      c[j] = f[j] * cPrev![j] + i[j] * g[j];
      tc[j] = Math.tanh(c[j]);
      h[j] = o[j] * tc[j];
    }
    return { h, c, saved: { i, f, g, o, tc } };
  },
  back(saved, dh, dc, cPrev, H) {
    const { i, f, g, o, tc } = saved as Record<'i' | 'f' | 'g' | 'o' | 'tc', Float64Array>;
    const da = new Float64Array(4 * H);
    const dcPrev = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      const dcj = dc![j] + dh[j] * o[j] * (1 - tc[j] * tc[j]);
      da[j] = dcj * g[j] * i[j] * (1 - i[j]);
      da[H + j] = dcj * cPrev![j] * f[j] * (1 - f[j]);
      da[2 * H + j] = dcj * i[j] * (1 - g[j] * g[j]);
      da[3 * H + j] = dh[j] * tc[j] * o[j] * (1 - o[j]);
      dcPrev[j] = dcj * f[j];
    }
    return { da, dcPrev };
  },
};

const KERNEL: SeqKernel = {
  workspaceBytes: (c0, c) => lstmWorkspaceBytes(c0, c.T, c.B, c.I, c.H),
  forward(c0, c, p, impl) {
    lstmForward(c0, {
      T: c.T, B: c.B, I: c.I, H: c.H, reverse: c.reverse ?? false, x: p.x, wIh: p.wIh, wHh: p.wHh, bIh: p.bIh,
      bHh: p.bHh, lengths: p.lengths, h0: p.h0, c0: p.c0, out: p.out, ldo: p.ldo, hT: p.hT, cT: p.cT, ws: p.ws,
    }, impl);
  },
  backward(c0, c, p, impl) {
    lstmBackward(c0, {
      T: c.T, B: c.B, I: c.I, H: c.H, reverse: c.reverse ?? false, x: p.x, wIh: p.wIh, wHh: p.wHh, lengths: p.lengths,
      ws: p.ws, dout: p.dout, lddo: p.lddo, dhT: p.dhT, dcT: p.dcT, dx: p.dx, dh0: p.dh0, dc0: p.dc0,
      dwIh: p.dwIh, dwHh: p.dwHh, dbIh: p.dbIh, dbHh: p.dbHh,
    }, impl);
  },
};

const label = (c: SeqCase) =>
  `T=${c.T} B=${c.B} I=${c.I} H=${c.H}${c.reverse ? ' reverse' : ''}${c.bias === false ? ' no-bias' : ''}` +
  `${c.lengths ? ` lengths=[${c.lengths}]` : ''}${c.h0 ? ' h0' : ''}${c.c0 ? ' c0' : ''}${c.ldo ? ` ldo=${c.ldo}` : ''}` +
  `${c.scale ? ` |x|<${c.scale}` : ''}`;

describe('LSTM float64 reference', () => {
  it('matches central finite differences (lengths, reverse, h0, c0, biases)', () => {
    checkReferenceByFiniteDifferences(LSTM, { T: 3, B: 2, I: 2, H: 3, reverse: true, lengths: [3, 2], h0: true, c0: true });
    checkReferenceByFiniteDifferences(LSTM, { T: 3, B: 2, I: 3, H: 2, lengths: [1, 3], h0: true, c0: true });
  });
});

describe.each(VARIANTS)('LSTM kernels (%s build)', (variant) => {
  for (const impl of ['simd', 'scalar'] as const) {
    for (const c of SEQ_CASES) {
      it(`${impl} ${label(c)}`, () => checkKernelAgainstReference(core(variant), LSTM, KERNEL, c, impl));
    }

    it(`${impl}: inference (no ws) gives the same out, hT, cT as training; hT, cT may alias h0, c0`, () => {
      const c0 = core(variant);
      const c: SeqCase = { T: 5, B: 3, I: 4, H: 7, lengths: [5, 2, 0] };
      const { T, B, I, H } = c;
      const random = rng(5);
      c0.arena.scope(() => {
        const x = c0.arena.fromF32(uniform(random, T * B * I));
        const wIh = c0.arena.fromF32(uniform(random, 4 * H * I));
        const wHh = c0.arena.fromF32(uniform(random, 4 * H * H));
        const lengths = c0.arena.fromI32(c.lengths!);
        const h0 = uniform(random, B * H);
        const cInit = uniform(random, B * H);
        const results = [0, 1].map((train) => {
          const h = c0.arena.fromF32(h0);
          const cs = c0.arena.fromF32(cInit);
          const out = c0.arena.allocF32(T * B * H);
          const ws = train ? c0.arena.alloc(lstmWorkspaceBytes(c0, T, B, I, H)) : 0;
          lstmForward(c0, { T, B, I, H, x, wIh, wHh, lengths, h0: h, c0: cs, out, hT: h, cT: cs, ws }, impl);
          return [c0.arena.readF32(out, T * B * H), c0.arena.readF32(h, B * H), c0.arena.readF32(cs, B * H)];
        });
        for (let k = 0; k < 3; k++) expect(results[0][k]).toEqual(results[1][k]);
        // Element 2 has length 0: its final state is its initial state.
        expect(results[0][1].subarray(2 * H)).toEqual(h0.subarray(2 * H));
        expect(results[0][2].subarray(2 * H)).toEqual(cInit.subarray(2 * H));
      });
    });

    it(`${impl}: two directions write the halves of one [T, B, 2H] output (ldo = 2H)`, () => {
      const c0 = core(variant);
      const T = 4, B = 2, I = 3, H = 5;
      const random = rng(17);
      const x = uniform(random, T * B * I);
      const w = [0, 1].map(() => [uniform(random, 4 * H * I), uniform(random, 4 * H * H), uniform(random, 4 * H)]);
      c0.arena.scope(() => {
        const px = c0.arena.fromF32(x);
        const out = c0.arena.allocF32(T * B * 2 * H);
        for (const dir of [0, 1]) {
          const [wIh, wHh, bIh] = w[dir].map((a) => c0.arena.fromF32(a));
          lstmForward(c0, { T, B, I, H, reverse: dir === 1, x: px, wIh, wHh, bIh, out: out + dir * H * 4, ldo: 2 * H }, impl);
        }
        const got = c0.arena.readF32(out, T * B * 2 * H);
        for (const dir of [0, 1]) {
          const c: SeqCase = { T, B, I, H, reverse: dir === 1 };
          const want = refForward(LSTM, c, { x, wIh: w[dir][0], wHh: w[dir][1], bIh: w[dir][2], bHh: null, h0: null, c0: null }, [T, T]).out;
          const half = new Float32Array(T * B * H);
          for (let r = 0; r < T * B; r++) half.set(got.subarray(r * 2 * H + dir * H, r * 2 * H + dir * H + H), r * H);
          expect(closeness(half, want, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
        }
      });
    });

    it(`${impl}: T = 0 copies the initial state to hT, cT and dhT, dcT to dh0, dc0`, () => {
      const c0 = core(variant);
      const B = 2, I = 3, H = 5;
      c0.arena.scope(() => {
        const h0 = uniform(rng(1), B * H);
        const p = (a: Float32Array) => c0.arena.fromF32(a);
        const hT = p(new Float32Array(B * H).fill(NaN));
        const cT = p(new Float32Array(B * H).fill(NaN));
        const ws = c0.arena.alloc(lstmWorkspaceBytes(c0, 0, B, I, H));
        const wIh = p(new Float32Array(4 * H * I));
        const wHh = p(new Float32Array(4 * H * H));
        lstmForward(c0, { T: 0, B, I, H, x: wIh, wIh, wHh, h0: p(h0), out: wIh, hT, cT, ws }, impl);
        expect(c0.arena.readF32(hT, B * H)).toEqual(h0);
        expect(c0.arena.readF32(cT, B * H).every((v) => v === 0)).toBe(true);
        const dh0 = p(new Float32Array(B * H).fill(NaN));
        lstmBackward(c0, { T: 0, B, I, H, x: wIh, wIh, wHh, ws, dhT: p(h0), dh0 }, impl);
        expect(c0.arena.readF32(dh0, B * H)).toEqual(h0);
      });
    });

    it(`${impl}: H = 0 leaves out empty and overwrites dx with zeros`, () => {
      const c0 = core(variant);
      const T = 3, B = 2, I = 4, H = 0;
      c0.arena.scope(() => {
        const x = c0.arena.fromF32(uniform(rng(2), T * B * I));
        const ws = c0.arena.alloc(lstmWorkspaceBytes(c0, T, B, I, H));
        lstmForward(c0, { T, B, I, H, x, wIh: x, wHh: x, out: x, ws }, impl);
        const dx = c0.arena.fromF32(new Float32Array(T * B * I).fill(NaN));
        lstmBackward(c0, { T, B, I, H, x, wIh: x, wHh: x, ws, dx }, impl);
        expect(c0.arena.readF32(dx, T * B * I).every((v) => v === 0)).toBe(true);
      });
    });

    it(`${impl}: NaN input stays in its own batch element and never leaks out of padding`, () => {
      const c0 = core(variant);
      const T = 4, B = 3, I = 2, H = 5;
      const data = uniform(rng(8), T * B * I);
      data[(1 * B + 0) * I] = NaN; // element 0, valid step t = 1
      data[(3 * B + 2) * I + 1] = NaN; // element 2, padding step t = 3 (length 2)
      c0.arena.scope(() => {
        const x = c0.arena.fromF32(data);
        const wIh = c0.arena.fromF32(uniform(rng(9), 4 * H * I));
        const wHh = c0.arena.fromF32(uniform(rng(10), 4 * H * H));
        const out = c0.arena.allocF32(T * B * H);
        const hT = c0.arena.allocF32(B * H);
        lstmForward(c0, { T, B, I, H, x, wIh, wHh, lengths: c0.arena.fromI32([4, 4, 2]), out, hT }, impl);
        const o = c0.arena.readF32(out, T * B * H);
        const row = (t: number, b: number) => Array.from(o.subarray((t * B + b) * H, (t * B + b + 1) * H));
        for (let t = 0; t < T; t++) {
          expect(row(t, 0).every(Number.isNaN)).toBe(t >= 1);
          expect(row(t, 1).every(Number.isFinite)).toBe(true);
          if (t >= 2) expect(row(t, 2)).toEqual(new Array<number>(H).fill(0));
          else expect(row(t, 2).every(Number.isFinite)).toBe(true);
        }
        expect(Array.from(c0.arena.readF32(hT, B * H).subarray(H)).every(Number.isFinite)).toBe(true);
      });
    });
  }
});

describe('LSTM input checks', () => {
  const c0: Core = core();
  const base = () => {
    const H = 4, I = 3, T = 2, B = 2;
    const buf = c0.arena.alloc(4 * 4 * H * Math.max(H, I) * T * B);
    return { T, B, I, H, x: buf, wIh: buf, wHh: buf, out: buf };
  };
  /** The backward takes the forward's inputs, not its output. */
  const inputsOf = ({ out: _out, ...inputs }: ReturnType<typeof base>) => inputs;
  it('rejects bad sizes, flags and strides with E_ARGUMENT', () => {
    c0.arena.scope(() => {
      expectEddyError(() => lstmForward(c0, { ...base(), H: -1 }), 'E_ARGUMENT', /lstmForward: H must be an integer >= 0, got -1/);
      expectEddyError(() => lstmForward(c0, { ...base(), T: 1.5 }), 'E_ARGUMENT', /T must be an integer/);
      expectEddyError(() => lstmForward(c0, { ...base(), reverse: 1 as unknown as boolean }), 'E_ARGUMENT', /reverse must be a boolean, got 1/);
      expectEddyError(() => lstmForward(c0, { ...base(), ldo: 3 }), 'E_ARGUMENT', /ldo must be an integer >= 4/);
      expectEddyError(() => lstmForward(c0, base(), 'fast' as never), 'E_ARGUMENT', /impl must be 'simd' or 'scalar'/);
      expectEddyError(() => lstmWorkspaceBytes(c0, 1, 1, 1, NaN), 'E_ARGUMENT', /lstmWorkspaceBytes: H must be an integer/);
    });
  });
  it('rejects lengths outside [0, T], naming the element', () => {
    c0.arena.scope(() => {
      const lengths = c0.arena.fromI32([2, 3]);
      expectEddyError(() => lstmForward(c0, { ...base(), lengths }), 'E_ARGUMENT', /lengths\[1\] must be in \[0, T = 2\], got 3/);
      const negative = c0.arena.fromI32([-1, 0]);
      expectEddyError(() => lstmBackward(c0, { ...inputsOf(base()), ws: base().x, lengths: negative }), 'E_ARGUMENT', /lengths\[0\] .* got -1/);
    });
  });
  it('rejects pointers out of memory, misaligned or below the arena with E_POINTER', () => {
    c0.arena.scope(() => {
      const args = base(); // allocate before reading the end of memory: allocation may grow it
      const end = c0.memory.buffer.byteLength;
      expectEddyError(() => lstmForward(c0, { ...args, out: end - 16 }), 'E_POINTER', /lstmForward: out spans bytes/);
      expectEddyError(() => lstmForward(c0, { ...args, h0: args.x + 2 }), 'E_POINTER', /h0 must be 4-byte aligned/);
      expectEddyError(() => lstmForward(c0, { ...args, ws: end - 64 }), 'E_POINTER', /ws spans bytes/);
      expectEddyError(() => lstmForward(c0, { ...args, wHh: 8 }), 'E_POINTER', /wHh = 8 points below the arena/);
      expectEddyError(() => lstmBackward(c0, { ...inputsOf(args), ws: args.x, dout: args.x, lddo: 4, dwHh: end - 4 }), 'E_POINTER', /dwHh spans bytes/);
    });
  });
  it('requires the forward workspace in the backward', () => {
    c0.arena.scope(() => {
      expectEddyError(() => lstmBackward(c0, { ...inputsOf(base()), ws: 0 }), 'E_ARGUMENT', /lstmBackward: ws must be the workspace the forward filled/);
    });
  });
});
