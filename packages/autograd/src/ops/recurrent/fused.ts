import { k, type Core } from '../../backend.js';
import { applyMany, type Function } from '../../function.js';
import { empty, Tensor } from '../../tensor.js';
import type { RecurrentWeights, Sizes } from './check.js';

// The one Function behind every recurrent op: a whole sequence of one layer in one direction is
// one fused kernel call forward and one backward, hence ONE tape node (not one per step, which
// would cost T·(a dozen) nodes and their temporaries). A per-step cell is the same Function with
// T = 1. The three families differ only in which kernels they call and whether they carry a cell
// state c, so each is a row of `FAMILIES`.

type ForwardArgs = k.LstmForwardArgs & k.GruForwardArgs & k.RnnForwardArgs;
type BackwardArgs = k.LstmBackwardArgs & k.GruBackwardArgs & k.RnnBackwardArgs;

/** What a recurrent family plugs into the shared Function. */
export interface Family {
  /** Tape node name. */
  readonly name: string;
  /** Gate blocks in the weights' rows: G·H. */
  readonly gates: number;
  /** Carries a cell state (LSTM's c). */
  readonly hasCell: boolean;
  workspaceBytes(core: Core, T: number, B: number, I: number, H: number): number;
  forward(core: Core, args: ForwardArgs): void;
  backward(core: Core, args: BackwardArgs): void;
}

// Each family passes its kernel exactly the arguments it takes: the core's wrappers refuse names
// they do not know (another family's flags or cell state).
export const LSTM: Family = {
  name: 'lstm', gates: 4, hasCell: true,
  workspaceBytes: k.lstmWorkspaceBytes,
  forward: (c, { resetBefore, relu, ...a }) => k.lstmForward(c, a),
  backward: (c, { resetBefore, relu, ...a }) => k.lstmBackward(c, a),
};
export const GRU: Family = {
  name: 'gru', gates: 3, hasCell: false,
  workspaceBytes: k.gruWorkspaceBytes,
  forward: (c, { relu, c0, cT, ...a }) => k.gruForward(c, a),
  backward: (c, { relu, dcT, dc0, ...a }) => k.gruBackward(c, a),
};
export const RNN: Family = {
  name: 'rnn', gates: 1, hasCell: false,
  workspaceBytes: k.rnnWorkspaceBytes,
  forward: (c, { resetBefore, c0, cT, ...a }) => k.rnnForward(c, a),
  backward: (c, { resetBefore, dcT, dc0, ...a }) => k.rnnBackward(c, a),
};

/** Position of each optional input in the node's inputs (−1: not given). */
interface Slots {
  /** −1: x is the input projection itself (see `RecurrentWeights.wIh`). */
  wIh: number;
  bIh: number;
  bHh: number;
  h0: number;
  c0: number;
  lengths: number;
}

interface FusedOptions {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse: boolean;
  /** GRU: Cho et al.'s form (reset applied before the hidden product). */
  resetBefore: boolean;
  /** RNN: φ = ReLU instead of tanh. */
  relu: boolean;
  /**
   * Cell mode: x is [B, I] (T = 1) and the output [B, H] is the new state itself, so no separate
   * hT is made. Outputs: [h, c?] in cell mode, [output, hT, cT?] otherwise.
   */
  cell: boolean;
  slots: Slots;
}

interface Saved {
  options: FusedOptions;
  /** What the forward kernel saved for the backward (freed by `release`). */
  ws: Tensor;
}

const functions = new Map<Family, Function<FusedOptions, Saved>>();

function fusedFunction(family: Family): Function<FusedOptions, Saved> {
  let fn = functions.get(family);
  if (fn !== undefined) return fn;
  fn = {
    name: family.name,
    forward: (ctx, inputs, o) => {
      const [x, wHh] = inputs;
      const core = x.core;
      const { T, B, I, H } = o;
      const ptr = (slot: number): number => (slot < 0 ? 0 : inputs[slot].ptr);
      // The workspace only exists when this call is recorded: inference (noGrad, or no input
      // requiring grad) keeps nothing for a backward that will never run.
      const ws = ctx.recording ? empty(core, [Math.ceil(family.workspaceBytes(core, T, B, I, H) / 4)]) : null;
      const out = empty(core, o.cell ? [B, H] : [T, B, H]);
      const hT = o.cell ? null : empty(core, [B, H]);
      const cT = family.hasCell ? empty(core, [B, H]) : null;
      family.forward(core, {
        T, B, I, H, reverse: o.reverse, resetBefore: o.resetBefore, relu: o.relu,
        x: x.ptr, wIh: ptr(o.slots.wIh), wHh: wHh.ptr, bIh: ptr(o.slots.bIh), bHh: ptr(o.slots.bHh),
        lengths: ptr(o.slots.lengths), h0: ptr(o.slots.h0), c0: ptr(o.slots.c0),
        out: out.ptr, hT: hT?.ptr ?? 0, cT: cT?.ptr ?? 0, ws: ws?.ptr ?? 0,
      });
      if (ws !== null) ctx.saved = { options: o, ws };
      const outputs = [out];
      if (hT !== null) outputs.push(hT);
      if (cT !== null) outputs.push(cT);
      return outputs;
    },
    release: (ctx) => ctx.saved?.ws.dispose(),
    backward: (ctx, grads) => {
      const { options: o, ws } = ctx.saved!;
      const inputs = ctx.inputs;
      const [x, wHh] = inputs;
      const { T, B, I, H, slots } = o;
      const core = x.core;
      for (const t of inputs) t.check(`backward of ${family.name}`);
      const need = (slot: number): boolean => slot >= 0 && ctx.needsGrad[slot];
      // NOTE: the kernels overwrite dx, dh0, dc0 but ACCUMULATE into dW and db: those start at 0.
      const zeros = (t: Tensor): Tensor => new Tensor(core, core.arena.zerosF32(t.size), t.shape);
      const dx = need(0) ? empty(core, x.shape) : null;
      const dwIh = need(slots.wIh) ? zeros(inputs[slots.wIh]) : null;
      const dwHh = need(1) ? zeros(wHh) : null;
      const dbIh = need(slots.bIh) ? zeros(inputs[slots.bIh]) : null;
      const dbHh = need(slots.bHh) ? zeros(inputs[slots.bHh]) : null;
      const dh0 = need(slots.h0) ? empty(core, [B, H]) : null;
      const dc0 = need(slots.c0) ? empty(core, [B, H]) : null;
      // Upstream gradients per output (null = none reached it → pointer 0).
      const dout = grads[0];
      const dhT = o.cell ? null : grads[1];
      const dcT = family.hasCell ? grads[o.cell ? 1 : 2] : null;
      const p = (t: Tensor | null | undefined): number => t?.ptr ?? 0;
      family.backward(core, {
        T, B, I, H, reverse: o.reverse, resetBefore: o.resetBefore, relu: o.relu,
        x: x.ptr, wIh: slots.wIh < 0 ? 0 : inputs[slots.wIh].ptr, wHh: wHh.ptr,
        lengths: slots.lengths < 0 ? 0 : inputs[slots.lengths].ptr, ws: ws.ptr,
        dout: p(dout), dhT: p(dhT), dcT: p(dcT),
        dx: p(dx), dh0: p(dh0), dc0: p(dc0), dwIh: p(dwIh), dwHh: p(dwHh), dbIh: p(dbIh), dbHh: p(dbHh),
      });
      const result: (Tensor | null)[] = new Array<Tensor | null>(inputs.length).fill(null);
      result[0] = dx;
      result[1] = dwHh;
      if (dwIh !== null) result[slots.wIh] = dwIh;
      if (dbIh !== null) result[slots.bIh] = dbIh;
      if (dbHh !== null) result[slots.bHh] = dbHh;
      if (dh0 !== null) result[slots.h0] = dh0;
      if (dc0 !== null) result[slots.c0] = dc0;
      return result;
    },
  };
  functions.set(family, fn);
  return fn;
}

/** Checked arguments of one fused call. */
export interface FusedCall {
  x: Tensor;
  weights: RecurrentWeights;
  sizes: Sizes;
  h0: Tensor | null;
  c0: Tensor | null;
  lengths: Tensor | null;
  reverse: boolean;
  resetBefore: boolean;
  relu: boolean;
  cell: boolean;
}

/**
 * @internal Runs `family`'s fused Function on checked arguments (one tape node when recorded).
 * Returns [output, hT, cT?] for a sequence, [h, c?] for a cell.
 */
export function runFused(family: Family, a: FusedCall): Tensor[] {
  const inputs: Tensor[] = [a.x, a.weights.wHh];
  const slot = (t: Tensor | null | undefined): number => (t == null ? -1 : inputs.push(t) - 1);
  const slots: Slots = {
    wIh: slot(a.weights.wIh),
    bIh: slot(a.weights.bIh),
    bHh: slot(a.weights.bHh),
    h0: slot(a.h0),
    c0: slot(a.c0),
    lengths: slot(a.lengths),
  };
  const { T, B, I, H } = a.sizes;
  return applyMany(fusedFunction(family), inputs, {
    T, B, I, H, reverse: a.reverse, resetBefore: a.resetBefore, relu: a.relu, cell: a.cell, slots,
  });
}
