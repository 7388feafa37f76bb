import type { Core, LstmBackwardArgs, LstmForwardArgs } from '../../backend.js';
import { applyMany, type Function } from '../../function.js';
import { empty, Tensor } from '../../tensor.js';
import { checkBool, checkInputAndWeights, checkLengths, checkState, type RecurrentWeights, type Sizes } from './check.js';
import type { SequenceOptions } from './options.js';

// The one Function behind every recurrent op: a whole sequence of one layer in one direction is
// one fused kernel call forward and one backward, hence ONE tape node (not one per step, which
// would cost T·(a dozen) nodes and their temporaries). A per-step cell is the same Function with
// T = 1. Families differ only in their kernels, gate count, whether they carry a cell state c, and
// their own flags: each is a `Family` record, defined in its own module (lstm.ts, gru.ts, rnn.ts).

/** The kernel arguments every family takes; a family adds its flags, and c0/cT (dcT/dc0) if it has a cell. */
type ForwardArgs = LstmForwardArgs & Readonly<Record<string, number | boolean | undefined>>;
type BackwardArgs = LstmBackwardArgs & Readonly<Record<string, number | boolean | undefined>>;

/** A family's own flags, as its kernels take them (`{ resetBefore }` for the GRU, `{}` for the LSTM). */
export type Flags = Readonly<Record<string, boolean>>;

/** What a recurrent family plugs into the shared Function and runners. */
export interface Family {
  /** Tape node name. */
  readonly name: string;
  /** Gate blocks in the weights' rows: G·H. */
  readonly gates: number;
  /** Carries a cell state (LSTM's c): its kernels take c0, cT and dcT, dc0. */
  readonly hasCell: boolean;
  /** Its own options (read from the call's options or weights) as kernel flags, checked after the shared ones. */
  flags(op: string, options: object): Flags;
  workspaceBytes(core: Core, T: number, B: number, I: number, H: number): number;
  /** Its kernel wrappers (core-wasm's `lstmForward`, …); they refuse argument names they do not know. */
  forward(core: Core, args: ForwardArgs): void;
  backward(core: Core, args: BackwardArgs): void;
}

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
  /** The family's own flags. */
  flags: Flags;
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
      const args: ForwardArgs = {
        T, B, I, H, reverse: o.reverse, ...o.flags,
        x: x.ptr, wIh: ptr(o.slots.wIh), wHh: wHh.ptr, bIh: ptr(o.slots.bIh), bHh: ptr(o.slots.bHh),
        lengths: ptr(o.slots.lengths), h0: ptr(o.slots.h0), out: out.ptr, hT: hT?.ptr ?? 0, ws: ws?.ptr ?? 0,
      };
      family.forward(core, cT === null ? args : { ...args, c0: ptr(o.slots.c0), cT: cT.ptr });
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
      const args: BackwardArgs = {
        T, B, I, H, reverse: o.reverse, ...o.flags,
        x: x.ptr, wIh: slots.wIh < 0 ? 0 : inputs[slots.wIh].ptr, wHh: wHh.ptr,
        lengths: slots.lengths < 0 ? 0 : inputs[slots.lengths].ptr, ws: ws.ptr,
        dout: p(dout), dhT: p(dhT), dx: p(dx), dh0: p(dh0), dwIh: p(dwIh), dwHh: p(dwHh), dbIh: p(dbIh), dbHh: p(dbHh),
      };
      family.backward(core, family.hasCell ? { ...args, dcT: p(dcT), dc0: p(dc0) } : args);
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
  flags: Flags;
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
    T, B, I, H, reverse: a.reverse, flags: a.flags, cell: a.cell, slots,
  });
}

/**
 * @internal A family's whole-sequence op after its options object was checked: x [T, B, I], the
 * weights, h0 (and c0), lengths, reverse, then the family's flags. Returns [output, hT, cT?].
 */
export function runSequence(family: Family, op: string, x: Tensor, options: SequenceOptions & { c0?: Tensor | null }): Tensor[] {
  const sizes = checkInputAndWeights(op, x, options, family.gates, 3);
  return runFused(family, {
    x, weights: options, sizes,
    h0: checkState(op, 'h0', options.h0, sizes),
    c0: family.hasCell ? checkState(op, 'c0', options.c0, sizes) : null,
    lengths: checkLengths(op, options.lengths, sizes),
    reverse: checkBool(op, 'reverse', options.reverse),
    flags: family.flags(op, options),
    cell: false,
  });
}

/**
 * @internal One step of a family after its weights object was checked: x [B, I] and the state
 * (h, and c for a family with a cell state; null = zeros). Returns [h, c?].
 */
export function runCell(family: Family, op: string, x: Tensor, weights: RecurrentWeights, h: unknown, c?: unknown): Tensor[] {
  const sizes = checkInputAndWeights(op, x, weights, family.gates, 2);
  return runFused(family, {
    x, weights, sizes,
    h0: checkState(op, 'h', h, sizes),
    c0: family.hasCell ? checkState(op, 'c', c, sizes) : null,
    lengths: null, reverse: false,
    flags: family.flags(op, weights),
    cell: true,
  });
}
