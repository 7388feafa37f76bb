import { split, stack, tensor, where, zeros, type Tensor } from '@eddy/autograd';
import type { CellSpec, FusedRun, LayerResult, LayerWeights } from './runner.js';
import { layerNormBlocks } from './variants/layer-norm.js';

// The per-step path: one loop of autograd primitives for every cell the fused whole-sequence
// kernels cannot express (an LSTM projection, peepholes, the coupled gate, layer-norm cells). It
// records roughly fifteen tape nodes per step instead of one node for the whole sequence, so it is
// several times slower; the fused kernels stay the default whenever no such option is set.
//
// The loop, the hoisted input projection, the recurrent projection and the packed-sequence masking
// live here once; a cell family only says how one step combines them (variants/steps.ts).

/**
 * The recurrent contribution of one step, LN(h W_hhᵀ) + b_hh (LN only for layer-norm cells), for
 * all gate blocks or a run of them: GRU's reset-before form projects rₜ ⊙ hₜ₋₁ for block n alone.
 * Row slices of W_hh are made once per sequence, not per step.
 */
export class Recurrence {
  private readonly slices = new Map<string, { wT: Tensor; b: Tensor | null; gain: Tensor | null }>();

  constructor(
    private readonly w: LayerWeights,
    /** H, the rows of one gate block. */
    readonly hidden: number,
    private readonly layerNorm: boolean,
  ) {}

  /** LN(h W_hh[blocks]ᵀ) + b_hh[blocks] for gate blocks first … first + count − 1 (default: all). */
  apply(h: Tensor, first = 0, count?: number): Tensor {
    const H = this.hidden;
    const n = count ?? this.w.wHh.shape[0] / H - first;
    const key = `${first}:${n}`;
    let s = this.slices.get(key);
    if (s === undefined) {
      const whole = first === 0 && n * H === this.w.wHh.shape[0];
      const rows = (t: Tensor): Tensor => (whole ? t : t.slice(0, first * H, (first + n) * H));
      const gain = this.layerNorm ? this.w.extra.weight_ln_hh : undefined;
      s = { wT: rows(this.w.wHh).transpose(), b: this.w.bHh === null ? null : rows(this.w.bHh), gain: gain === undefined ? null : rows(gain) };
      this.slices.set(key, s);
    }
    let a = h.matmul(s.wT);
    if (this.layerNorm) a = layerNormBlocks(a, H, s.gain);
    return s.b === null ? a : a.add(s.b);
  }
}

/** One step's new state; `output` defaults to h. */
export interface StepState {
  h: Tensor;
  c: Tensor | null;
}

/**
 * Watches one layer and direction on the per-step path (the diagnostics: recorded states, gate
 * statistics, gradient through time). The run is the same function; only these callbacks are added.
 */
export interface StepObserver {
  /** Every step's gate activations [B, H] by name (i f g o, r z n; none for an Elman cell). */
  gates?(t: number, gates: Readonly<Record<string, Tensor>>): void;
  /** The state after step t; returns the state the run outputs and carries on with. */
  state?(t: number, s: StepState): StepState;
}

/** A cell on the per-step path. */
export interface StepCell {
  /** G, the gate blocks of W_ih and W_hh. */
  readonly gates: number;
  /** Whether the state has a cell c [B, H] beside h. */
  readonly hasCell: boolean;
  /** Normalise each gate block of W_ih xₜ and W_hh hₜ₋₁ (gains weight_ln_ih, weight_ln_hh). */
  readonly layerNorm: boolean;
  /**
   * One step: `xw` = LN(W_ih xₜ) + b_ih [B, G·H] (hoisted out of the loop), `rec` the recurrent
   * contribution, `s` the state before the step (c null without a cell). `gates`, when given, is
   * called once with the step's gate activations by name.
   */
  step(xw: Tensor, rec: Recurrence, s: StepState, w: LayerWeights, gates?: (g: Record<string, Tensor>) => void): StepState;
}

/**
 * Runs one layer in one direction over time-major x [T, B, I] step by step from h0 [B, Hout] and
 * c0 [B, H] (null = zeros). The input projection LN(x W_ihᵀ) + b_ih is hoisted out of the loop as
 * one matrix product over all T·B rows. With `lengths`, steps t ≥ lengths[b] leave element b's
 * state as it was and write a zero output row (packed-sequence semantics, as the fused kernels).
 * An `observer` sees every step's gates and state (see `StepObserver`).
 */
export function runStepwise(
  cell: StepCell, x: Tensor, w: LayerWeights, h0: Tensor | null, c0: Tensor | null, lengths: Tensor | null, reverse: boolean,
  observer: StepObserver | null = null,
): LayerResult {
  const [T, B, I] = x.shape;
  const GH = w.wIh.shape[0];
  const H = GH / cell.gates;
  const hOut = w.wHh.shape[1];
  let xw = x.reshape([T * B, I]).matmul(w.wIh.transpose());
  if (cell.layerNorm) xw = layerNormBlocks(xw, H, w.extra.weight_ln_ih ?? null);
  if (w.bIh !== null) xw = xw.add(w.bIh);
  const steps = split(xw.reshape([T, B * GH]), 1, 0).map((s) => s.reshape([B, GH]));
  const rec = new Recurrence(w, H, cell.layerNorm);
  const valid = lengths === null ? null : stepMasks(lengths.toArray(), T, B);

  let s: StepState = { h: h0 ?? zeros([B, hOut]), c: cell.hasCell ? (c0 ?? zeros([B, H])) : null };
  const outputs: Tensor[] = new Array<Tensor>(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const gates = observer?.gates === undefined ? undefined : (g: Record<string, Tensor>) => observer.gates!(t, g);
    let next = cell.step(steps[t], rec, s, w, gates);
    if (observer?.state !== undefined) next = observer.state(t, next);
    const m = valid?.[t] ?? null;
    if (m === null) {
      outputs[t] = next.h;
      s = next;
    } else {
      // NOTE: where() routes the gradient instead of multiplying by the mask, so padding steps
      // pass the state's gradient through untouched.
      outputs[t] = where(m, next.h, 0);
      s = { h: where(m, next.h, s.h), c: s.c === null || next.c === null ? null : where(m, next.c, s.c) };
    }
  }
  const result: LayerResult = { output: stack(outputs, 0), h: s.h };
  if (s.c !== null) result.c = s.c;
  return result;
}

/**
 * A family's cell for the runner: each layer and direction is `fused` (one kernel call, one tape
 * node) unless `perStep` (an option the kernels cannot express), then `runStepwise` with `step`.
 * G and whether there is a cell come from the step cell, so both paths agree on the weights.
 */
export function familyCell(name: string, step: StepCell, perStep: boolean, fused: FusedRun, more: Pick<CellSpec, 'extras' | 'reset'> = {}): CellSpec {
  const stepwise: CellSpec['run'] = (x, w, h0, c0, lengths, reverse) => runStepwise(step, x, w, h0, c0, lengths, reverse);
  if (perStep) return { name, gates: step.gates, hasCell: step.hasCell, ...more, step, run: stepwise };
  return { name, gates: step.gates, hasCell: step.hasCell, ...more, step, run: fused, runProjected: fused };
}

/** Per step t, a [B, 1] mask of the elements with t < lengths[b], or null when all are valid. */
function stepMasks(lengths: ArrayLike<number>, T: number, B: number): Array<Tensor | null> {
  const masks: Array<Tensor | null> = [];
  for (let t = 0; t < T; t++) {
    const m = new Float32Array(B);
    let all = true;
    for (let b = 0; b < B; b++) {
      m[b] = t < lengths[b] ? 1 : 0;
      all &&= m[b] === 1;
    }
    masks.push(all ? null : tensor(m, [B, 1]));
  }
  return masks;
}
