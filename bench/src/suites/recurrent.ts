import {
  gruBackward, gruForward, gruWorkspaceBytes, lstmBackward, lstmForward, lstmWorkspaceBytes,
  rnnBackward, rnnForward, rnnWorkspaceBytes, type Core,
} from '@eddy/core-wasm';
import { medianMs } from '../measure.js';
import type { Report } from '../report.js';

/** One fused cell, as the bench drives it: allocate its operands, then time forward and backward. */
interface Cell {
  name: string;
  gates: number;
  workspaceBytes(core: Core, T: number, B: number, I: number, H: number): number;
  forward(core: Core, p: Operands): void;
  backward(core: Core, p: Operands): void;
}

interface Operands {
  T: number; B: number; I: number; H: number;
  x: number; wIh: number; wHh: number; bIh: number; bHh: number;
  out: number; hT: number; cT: number; ws: number;
  dout: number; dx: number; dh0: number; dc0: number;
  dwIh: number; dwHh: number; dbIh: number; dbHh: number;
}

/** The arguments every cell's forward takes (the wrappers refuse keys they do not know). */
function forwardArgs({ T, B, I, H, x, wIh, wHh, bIh, bHh, out, hT, ws }: Operands) {
  return { T, B, I, H, x, wIh, wHh, bIh, bHh, out, hT, ws };
}

/** The arguments every cell's backward takes. */
function backwardArgs({ T, B, I, H, x, wIh, wHh, ws, dout, dx, dh0, dwIh, dwHh, dbIh, dbHh }: Operands) {
  return { T, B, I, H, x, wIh, wHh, ws, dout, dx, dh0, dwIh, dwHh, dbIh, dbHh };
}

export const CELLS: Cell[] = [
  {
    name: 'lstm',
    gates: 4,
    workspaceBytes: lstmWorkspaceBytes,
    forward: (core, p) => lstmForward(core, { ...forwardArgs(p), cT: p.cT }),
    backward: (core, p) => lstmBackward(core, { ...backwardArgs(p), dc0: p.dc0 }),
  },
  {
    name: 'gru',
    gates: 3,
    workspaceBytes: gruWorkspaceBytes,
    forward: (core, p) => gruForward(core, forwardArgs(p)),
    backward: (core, p) => gruBackward(core, backwardArgs(p)),
  },
  {
    name: 'gru-reset-before',
    gates: 3,
    workspaceBytes: gruWorkspaceBytes,
    forward: (core, p) => gruForward(core, { ...forwardArgs(p), resetBefore: true }),
    backward: (core, p) => gruBackward(core, { ...backwardArgs(p), resetBefore: true }),
  },
  {
    name: 'rnn-tanh',
    gates: 1,
    workspaceBytes: rnnWorkspaceBytes,
    forward: (core, p) => rnnForward(core, forwardArgs(p)),
    backward: (core, p) => rnnBackward(core, backwardArgs(p)),
  },
];

function fill(core: Core, n: number, seed: number, scale = 0.1): number {
  const ptr = core.arena.allocF32(n);
  const f32 = core.arena.f32;
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f32[(ptr >>> 2) + i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return ptr;
}

/** FLOPs of the GEMMs in one forward (input projection + T recurrent steps): 2·T·B·(I + H)·G·H. */
function forwardFlops(T: number, B: number, I: number, H: number, G: number): number {
  return 2 * T * B * (I + H) * G * H;
}

/**
 * Fused whole-sequence forward and BPTT backward, one call each, at the canonical workload shape
 * (T = 64, B = 32, H = 256, I = H as for a stacked layer). Reported as milliseconds and as the
 * effective GFLOP/s of the GEMMs inside (backward does twice the forward's GEMM work), so the
 * number can be read against the SGEMM table: how much the time loop and the gates cost on top.
 */
export async function recurrent(core: Core, report: Report, shapes = [{ T: 64, B: 32, I: 256, H: 256 }, { T: 64, B: 32, I: 512, H: 512 }]): Promise<void> {
  // Timing awaits, and arena scopes are synchronous: operands stay allocated (the bench is short-lived).
  for (const cell of CELLS) {
    for (const { T, B, I, H } of shapes) {
      const G = cell.gates;
      const p: Operands = {
        T, B, I, H,
        x: fill(core, T * B * I, 1, 1), wIh: fill(core, G * H * I, 2), wHh: fill(core, G * H * H, 3),
        bIh: fill(core, G * H, 4), bHh: fill(core, G * H, 5),
        out: core.arena.allocF32(T * B * H), hT: core.arena.allocF32(B * H), cT: core.arena.allocF32(B * H),
        ws: core.arena.alloc(cell.workspaceBytes(core, T, B, I, H)),
        dout: fill(core, T * B * H, 6), dx: core.arena.allocF32(T * B * I), dh0: core.arena.allocF32(B * H),
        dc0: core.arena.allocF32(B * H),
        dwIh: core.arena.zerosF32(G * H * I), dwHh: core.arena.zerosF32(G * H * H),
        dbIh: core.arena.zerosF32(G * H), dbHh: core.arena.zerosF32(G * H),
      };
      const fwd = await medianMs(() => cell.forward(core, p), 1000);
      cell.forward(core, p);
      const bwd = await medianMs(() => cell.backward(core, p), 1000);
      const flops = forwardFlops(T, B, I, H, G);
      report.row({
        bench: 'fused', cell: cell.name, peer: 'eddy', T, B, I, H,
        forwardMs: round(fwd), backwardMs: round(bwd), totalMs: round(fwd + bwd),
        gflops: round((3 * flops) / ((fwd + bwd) * 1e6)),
        tokensPerSec: Math.round((T * B) / ((fwd + bwd) / 1000)),
      });
    }
  }
  report.table('Fused whole-sequence forward + BPTT backward (one call each), plain SIMD build', [
    'cell', 'T', 'B', 'I', 'H', 'forwardMs', 'backwardMs', 'totalMs', 'gflops', 'tokensPerSec',
  ]);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
