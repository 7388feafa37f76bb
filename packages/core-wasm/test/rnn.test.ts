import { describe, expect, it } from 'vitest';
import { rnnBackward, rnnForward, rnnWorkspaceBytes, type Core } from '../src/index.node.js';
import { closeness, core, rng, uniform, expectEddyError, VARIANTS } from './cores.js';
import {
  checkKernelAgainstReference, checkReferenceByFiniteDifferences, refForward, SEQ_CASES,
  type RefCell, type SeqCase, type SeqKernel,
} from './sequence.js';

/** float64 Elman cell h = φ(a); φ' is taken from h, as the kernel does. */
function elman(relu: boolean): RefCell {
  return {
    G: 1,
    hasC: false,
    step(a) {
      const h = a.map((v) => (relu ? Math.max(v, 0) : Math.tanh(v)));
      return { h, c: null, saved: h };
    },
    back(saved, dh) {
      const h = saved as Float64Array;
      return { da: dh.map((v, j) => (relu ? (h[j] > 0 ? v : 0) : v * (1 - h[j] * h[j]))), dcPrev: null };
    },
  };
}

function kernelFor(relu: boolean): SeqKernel {
  return {
    workspaceBytes: (c0, c) => rnnWorkspaceBytes(c0, c.T, c.B, c.I, c.H),
    forward(c0, c, p, impl) {
      rnnForward(c0, {
        T: c.T, B: c.B, I: c.I, H: c.H, reverse: c.reverse ?? false, relu, x: p.x, wIh: p.wIh, wHh: p.wHh,
        bIh: p.bIh, bHh: p.bHh, lengths: p.lengths, h0: p.h0, out: p.out, ldo: p.ldo, hT: p.hT, ws: p.ws,
      }, impl);
    },
    backward(c0, c, p, impl) {
      rnnBackward(c0, {
        T: c.T, B: c.B, I: c.I, H: c.H, reverse: c.reverse ?? false, relu, x: p.x, wIh: p.wIh, wHh: p.wHh,
        lengths: p.lengths, ws: p.ws, dout: p.dout, lddo: p.lddo, dhT: p.dhT, dx: p.dx, dh0: p.dh0,
        dwIh: p.dwIh, dwHh: p.dwHh, dbIh: p.dbIh, dbHh: p.dbHh,
      }, impl);
    },
  };
}

const label = (c: SeqCase) =>
  `T=${c.T} B=${c.B} I=${c.I} H=${c.H}${c.reverse ? ' reverse' : ''}${c.bias === false ? ' no-bias' : ''}` +
  `${c.lengths ? ` lengths=[${c.lengths}]` : ''}${c.h0 ? ' h0' : ''}${c.ldo ? ` ldo=${c.ldo}` : ''}${c.scale ? ` |x|<${c.scale}` : ''}`;

describe('Elman RNN float64 reference', () => {
  for (const relu of [false, true]) {
    it(`${relu ? 'ReLU' : 'tanh'} matches central finite differences (lengths, reverse, h0, biases)`, () => {
      checkReferenceByFiniteDifferences(elman(relu), { T: 3, B: 2, I: 2, H: 3, reverse: true, lengths: [3, 2], h0: true });
      checkReferenceByFiniteDifferences(elman(relu), { T: 4, B: 2, I: 3, H: 2, lengths: [1, 4], h0: true });
    });
  }
});

describe.each(VARIANTS)('Elman RNN kernels (%s build)', (variant) => {
  for (const impl of ['simd', 'scalar'] as const) {
    for (const relu of [false, true]) {
      const name = relu ? 'ReLU' : 'tanh';
      for (const c of SEQ_CASES) {
        it(`${impl} ${name} ${label(c)}`, () => checkKernelAgainstReference(core(variant), elman(relu), kernelFor(relu), c, impl));
      }

      it(`${impl} ${name}: inference (no ws) gives the same out and hT as training; hT may alias h0`, () => {
        const c0 = core(variant);
        const T = 5, B = 3, I = 4, H = 7;
        const random = rng(5);
        c0.arena.scope(() => {
          const x = c0.arena.fromF32(uniform(random, T * B * I));
          const wIh = c0.arena.fromF32(uniform(random, H * I));
          const wHh = c0.arena.fromF32(uniform(random, H * H));
          const lengths = c0.arena.fromI32([5, 2, 0]);
          const h0 = uniform(random, B * H);
          const results = [0, 1].map((train) => {
            const h = c0.arena.fromF32(h0);
            const out = c0.arena.allocF32(T * B * H);
            const ws = train ? c0.arena.alloc(rnnWorkspaceBytes(c0, T, B, I, H)) : 0;
            rnnForward(c0, { T, B, I, H, relu, x, wIh, wHh, lengths, h0: h, out, hT: h, ws }, impl);
            return [c0.arena.readF32(out, T * B * H), c0.arena.readF32(h, B * H)];
          });
          expect(results[0]).toEqual(results[1]);
          expect(results[0][1].subarray(2 * H)).toEqual(h0.subarray(2 * H));
        });
      });
    }

    it(`${impl}: at a = 0 ReLU' is 0 (as torch) while tanh' is 1`, () => {
      const c0 = core(variant);
      const T = 2, B = 2, I = 3, H = 5;
      c0.arena.scope(() => {
        const x = c0.arena.zerosF32(T * B * I);
        const wIh = c0.arena.fromF32(uniform(rng(3), H * I));
        const w = uniform(rng(4), H * H);
        const wHh = c0.arena.fromF32(w);
        const dout = c0.arena.fromF32(new Float32Array(T * B * H).fill(1));
        // tanh: φ' = 1 at every step, so at t = 1 ∂a = 1 and at t = 0 ∂a = 1 + Σ_k W_hh[k, j].
        const tanhDb = Array.from({ length: H }, (_, j) => {
          let col = 0;
          for (let k = 0; k < H; k++) col += w[k * H + j];
          return B * (2 + col);
        });
        for (const relu of [true, false]) {
          const ws = c0.arena.alloc(rnnWorkspaceBytes(c0, T, B, I, H));
          const out = c0.arena.allocF32(T * B * H);
          const dbIh = c0.arena.zerosF32(H);
          rnnForward(c0, { T, B, I, H, relu, x, wIh, wHh, out, ws }, impl);
          expect(c0.arena.readF32(out, T * B * H).every((v) => v === 0)).toBe(true);
          rnnBackward(c0, { T, B, I, H, relu, x, wIh, wHh, ws, dout, dbIh }, impl);
          const db = c0.arena.readF32(dbIh, H);
          expect(closeness(db, relu ? new Array<number>(H).fill(0) : tanhDb, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
        }
      });
    });

    it(`${impl}: two directions write the halves of one [T, B, 2H] output (ldo = 2H)`, () => {
      const c0 = core(variant);
      const T = 4, B = 2, I = 3, H = 6;
      const random = rng(17);
      const x = uniform(random, T * B * I);
      const w = [0, 1].map(() => [uniform(random, H * I), uniform(random, H * H), uniform(random, H)]);
      c0.arena.scope(() => {
        const px = c0.arena.fromF32(x);
        const out = c0.arena.allocF32(T * B * 2 * H);
        for (const dir of [0, 1]) {
          const [wIh, wHh, bHh] = w[dir].map((a) => c0.arena.fromF32(a));
          rnnForward(c0, { T, B, I, H, reverse: dir === 1, x: px, wIh, wHh, bHh, out: out + dir * H * 4, ldo: 2 * H }, impl);
        }
        const got = c0.arena.readF32(out, T * B * 2 * H);
        for (const dir of [0, 1]) {
          const c: SeqCase = { T, B, I, H, reverse: dir === 1 };
          const want = refForward(elman(false), c, { x, wIh: w[dir][0], wHh: w[dir][1], bIh: null, bHh: w[dir][2], h0: null, c0: null }, [T, T]).out;
          const half = new Float32Array(T * B * H);
          for (let r = 0; r < T * B; r++) half.set(got.subarray(r * 2 * H + dir * H, r * 2 * H + dir * H + H), r * H);
          expect(closeness(half, want, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
        }
      });
    });
  }
});

describe('Elman RNN input checks', () => {
  const c0: Core = core();
  const base = () => {
    const H = 4, I = 3, T = 2, B = 2;
    const buf = c0.arena.alloc(4 * H * Math.max(H, I) * T * B * 4);
    return { T, B, I, H, x: buf, wIh: buf, wHh: buf, out: buf };
  };
  /** The backward takes the forward's inputs, not its output. */
  const inputsOf = ({ out: _out, ...inputs }: ReturnType<typeof base>) => inputs;
  it('rejects bad sizes, flags, strides and lengths with E_ARGUMENT', () => {
    c0.arena.scope(() => {
      expectEddyError(() => rnnForward(c0, { ...base(), B: -2 }), 'E_ARGUMENT', /rnnForward: B must be an integer >= 0, got -2/);
      expectEddyError(() => rnnForward(c0, { ...base(), relu: 'yes' as unknown as boolean }), 'E_ARGUMENT', /relu must be a boolean, got "yes"/);
      expectEddyError(() => rnnBackward(c0, { ...inputsOf(base()), ws: base().x, lddo: 2 }), 'E_ARGUMENT', /rnnBackward: lddo must be an integer >= 4/);
      expectEddyError(() => rnnForward(c0, { ...base(), lengths: c0.arena.fromI32([1, 9]) }), 'E_ARGUMENT', /lengths\[1\] must be in \[0, T = 2\], got 9/);
      expectEddyError(() => rnnBackward(c0, { ...inputsOf(base()), ws: 0 }), 'E_ARGUMENT', /ws must be the workspace the forward filled/);
    });
  });
  it('rejects pointers out of memory with E_POINTER', () => {
    c0.arena.scope(() => {
      const end = c0.memory.buffer.byteLength;
      expectEddyError(() => rnnForward(c0, { ...base(), x: end - 8 }), 'E_POINTER', /rnnForward: x spans bytes/);
      expectEddyError(() => rnnBackward(c0, { ...inputsOf(base()), ws: end - 8 }), 'E_POINTER', /rnnBackward: ws spans bytes/);
    });
  });
});
