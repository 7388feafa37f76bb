import { describe, expect, it } from 'vitest';
import {
  gruBackward, gruForward, gruWorkspaceBytes, lstmBackward, lstmForward, lstmWorkspaceBytes,
  rnnBackward, rnnForward, rnnWorkspaceBytes, type Core,
} from '../src/index.node.js';
import { closeness, core, expectEddyError, rng, uniform, VARIANTS } from './cores.js';

// "Projected input" (wIh absent): x already holds X·W_ihᵀ [T, B, G·H], as when an embedding table
// is projected once and gathered. The kernels must then give what the same call with x and W_ih
// gives: the same outputs, states, dW_hh and bias gradients, and dx_projected = ∂L/∂(X·W_ihᵀ), so
// that dx_projected·W_ih is the dense call's dx and dx_projectedᵀ·X its dW_ih.

interface Cell {
  name: string;
  G: number;
  hasC: boolean;
  wsBytes(c: Core, T: number, B: number, I: number, H: number): number;
  forward(c: Core, a: Record<string, number | boolean | undefined>): void;
  backward(c: Core, a: Record<string, number | boolean | undefined>): void;
}

const CELLS: Cell[] = [
  { name: 'LSTM', G: 4, hasC: true, wsBytes: lstmWorkspaceBytes, forward: (c, a) => lstmForward(c, a as never), backward: (c, a) => lstmBackward(c, a as never) },
  { name: 'GRU', G: 3, hasC: false, wsBytes: gruWorkspaceBytes, forward: (c, a) => gruForward(c, a as never), backward: (c, a) => gruBackward(c, a as never) },
  { name: 'GRU resetBefore', G: 3, hasC: false, wsBytes: gruWorkspaceBytes, forward: (c, a) => gruForward(c, { ...a, resetBefore: true } as never), backward: (c, a) => gruBackward(c, { ...a, resetBefore: true } as never) },
  { name: 'RNN relu', G: 1, hasC: false, wsBytes: rnnWorkspaceBytes, forward: (c, a) => rnnForward(c, { ...a, relu: true } as never), backward: (c, a) => rnnBackward(c, { ...a, relu: true } as never) },
];

/** C[m, n] = A[m, k]·B[n, k]ᵀ (or A·B with bT false: B is [k, n]), in float64. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, bT: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * (bT ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

describe.each(VARIANTS)('projected input, wIh absent (%s build)', (variant) => {
  for (const cell of CELLS) {
    for (const impl of ['simd', 'scalar'] as const) {
      for (const reverse of [false, true]) {
        it(`${cell.name} ${impl}${reverse ? ' reverse' : ''}: equals the call with x and W_ih`, () => {
          const c0 = core(variant);
          const T = 5, B = 3, I = 6, H = 7, G = cell.G * H;
          const random = rng(31 + cell.G + (reverse ? 100 : 0));
          const x = uniform(random, T * B * I);
          const wIh = uniform(random, G * I, -0.6, 0.6);
          const wHh = uniform(random, G * H, -0.6, 0.6);
          const bIh = uniform(random, G, -0.3, 0.3);
          const bHh = uniform(random, G, -0.3, 0.3);
          const h0 = uniform(random, B * H);
          const dout = uniform(random, T * B * H);
          const dhT = uniform(random, B * H);
          const lengths = [5, 2, 4];
          const xp = Float32Array.from(matmul(x, wIh, T * B, G, I, true));
          const { arena } = c0;
          const run = (projected: boolean) => arena.scope(() => {
            const common = {
              T, B, H, reverse, wHh: arena.fromF32(wHh), lengths: arena.fromI32(lengths),
              ws: arena.alloc(cell.wsBytes(c0, T, B, projected ? G : I, H)),
            };
            const io = projected ? { I: G, x: arena.fromF32(xp) } : { I, x: arena.fromF32(x), wIh: arena.fromF32(wIh) };
            const out = arena.allocF32(T * B * H);
            const hT = arena.allocF32(B * H);
            const state = cell.hasC ? { c0: arena.fromF32(h0), cT: arena.allocF32(B * H) } : {};
            cell.forward(c0, { ...common, ...io, bIh: arena.fromF32(bIh), bHh: arena.fromF32(bHh), h0: arena.fromF32(h0), out, hT, ...state }, );
            const dx = arena.allocF32(T * B * io.I);
            const dh0 = arena.allocF32(B * H);
            const dwHh = arena.fromF32(new Float32Array(G * H));
            const dbIh = arena.fromF32(new Float32Array(G));
            const dbHh = arena.fromF32(new Float32Array(G));
            const dwIh = projected ? {} : { dwIh: arena.fromF32(new Float32Array(G * I)) };
            const dState = cell.hasC ? { dcT: arena.fromF32(dhT), dc0: arena.allocF32(B * H) } : {};
            cell.backward(c0, {
              ...common, ...io, dout: arena.fromF32(dout), dhT: arena.fromF32(dhT), dx, dh0, dwHh, dbIh, dbHh, ...dwIh, ...dState,
            });
            return {
              out: arena.readF32(out, T * B * H),
              hT: arena.readF32(hT, B * H),
              dx: arena.readF32(dx, T * B * io.I),
              dh0: arena.readF32(dh0, B * H),
              dwHh: arena.readF32(dwHh, G * H),
              dbIh: arena.readF32(dbIh, G),
              dbHh: arena.readF32(dbHh, G),
              dwIh: 'dwIh' in dwIh && dwIh.dwIh !== undefined ? arena.readF32(dwIh.dwIh, G * I) : null,
            };
          });
          const dense = run(false);
          const projected = run(true);
          const fwd = [1e-5, 1e-5] as const;
          const grad = [1e-4, 1e-4] as const;
          expect(closeness(projected.out, dense.out, ...fwd), 'out').toBeLessThanOrEqual(1);
          expect(closeness(projected.hT, dense.hT, ...fwd), 'hT').toBeLessThanOrEqual(1);
          for (const k of ['dh0', 'dwHh', 'dbIh', 'dbHh'] as const) expect(closeness(projected[k], dense[k], ...grad), k).toBeLessThanOrEqual(1);
          // Chain rule through X·W_ihᵀ: dx = dXp·W_ih and dW_ih = dXpᵀ·X.
          expect(closeness(matmul(projected.dx, wIh, T * B, I, G, false), dense.dx, ...grad), 'dx').toBeLessThanOrEqual(1);
          expect(closeness(matmul(transpose(projected.dx, T * B, G), x, G, I, T * B, false), dense.dwIh!, ...grad), 'dwIh').toBeLessThanOrEqual(1);
        });
      }
    }
  }
});

describe('projected input checks', () => {
  it('without wIh, I must be G·H and dwIh is refused', () => {
    const c0 = core();
    const { arena } = c0;
    arena.scope(() => {
      const T = 2, B = 1, H = 3;
      const x = arena.allocF32(T * B * 4 * H);
      const wHh = arena.allocF32(4 * H * H);
      const out = arena.allocF32(T * B * H);
      expectEddyError(() => lstmForward(c0, { T, B, I: 5, H, x, wHh, out }), 'E_ARGUMENT', /lstmForward: without wIh, x must hold the input projection \[T, B, G·H = 12\], so I must be 12, got 5/);
      const ws = arena.alloc(lstmWorkspaceBytes(c0, T, B, 4 * H, H));
      lstmForward(c0, { T, B, I: 4 * H, H, x, wHh, out, ws });
      const dwIh = arena.allocF32(4 * H * 4 * H);
      expectEddyError(() => lstmBackward(c0, { T, B, I: 4 * H, H, x, wHh, ws, dwIh }), 'E_ARGUMENT', /lstmBackward: dwIh needs wIh/);
    });
  });
});
