import { noGrad, scope, Tensor, tensor } from '@eddy/autograd';
import { checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { LanguageModel } from '../lm/language-model.js';
import { RecurrentBase, watchLayers, type LayerResult, type RecurrentState } from '../recurrent/runner.js';
import type { StepObserver, StepState } from '../recurrent/stepwise.js';

// What every diagnostic shares: which models it reads, how their input is given, and one watched
// forward pass. A diagnostic runs the model's own per-step path (recurrent/stepwise.ts) with
// observers on its layers, in eval mode, so it sees exactly the function training computes and
// leaves the model as it found it: no dropout (the RNG is untouched), the mode restored.

/** A model the diagnostics read: a `LanguageModel` or a bare `RNN`, `LSTM` or `GRU` stack. */
export type DiagnosedModel = LanguageModel | RecurrentBase<RecurrentState, LayerResult>;

/**
 * The input of a diagnostic. For a `LanguageModel`: token ids of one stream (an array, B = 1) or
 * an int32 tensor [T, B]. For a recurrent layer: what its `forward` takes, x [T, B, I] ([B, T, I]
 * with batchFirst).
 */
export type DiagnosticInput = Tensor | ArrayLike<number>;

/** The initial state (absent or null: zeros), as the recurrent layer's `forward` takes it. */
export interface DiagnosticState {
  /** [L·D, B, Hout]. */
  h?: Tensor | null;
  /** [L·D, B, H], LSTM only. */
  c?: Tensor | null;
}

/** One layer and direction of a recurrent stack, in PyTorch's order (index l·D + d). */
export interface LayerKey {
  /** l, from 0 (reads the input) to L − 1. */
  layer: number;
  /** d: 0 forward, 1 the reverse direction of a bidirectional layer. */
  direction: 0 | 1;
  /** PyTorch's parameter suffix: `l0`, `l0_reverse`, … */
  name: string;
}

/** The recurrent stack inside `model`; throws E_ARGUMENT for any other model. */
export function recurrentOf(op: string, model: unknown): RecurrentBase<RecurrentState, LayerResult> {
  if (model instanceof LanguageModel) return model.rnn;
  if (model instanceof RecurrentBase) return model;
  throw fail('E_ARGUMENT', `${op}: model must be a LanguageModel or an RNN, LSTM or GRU, got ${describe(model)}`);
}

/** Every layer and direction of `rnn`, in PyTorch's order. */
export function layerKeys(rnn: RecurrentBase<RecurrentState, LayerResult>): LayerKey[] {
  const keys: LayerKey[] = [];
  for (let l = 0; l < rnn.numLayers; l++) {
    for (let d = 0; d < rnn.numDirections; d++) keys.push({ layer: l, direction: d as 0 | 1, name: `l${l}${d === 1 ? '_reverse' : ''}` });
  }
  return keys;
}

/** A checked input: T steps of B streams; `slice(t0, t1)` is steps [t0, t1) as the model reads them. */
export interface Sequence {
  readonly steps: number;
  readonly batch: number;
  slice(t0: number, t1: number): Tensor;
}

/** Checks `input` against `model` (see `DiagnosticInput`). */
export function sequenceOf(op: string, model: DiagnosedModel, input: unknown): Sequence {
  if (model instanceof LanguageModel) {
    const V = model.vocabSize;
    let ids: Int32Array;
    let B = 1;
    if (input instanceof Tensor) {
      input.check(op);
      if (input.dtype !== 'int32' || input.shape.length !== 2) {
        throw fail('E_ARGUMENT', `${op}: input must be token ids (an array, or an int32 tensor [T, B]), got ${input.dtype} [${input.shape.join(', ')}]`);
      }
      B = input.shape[1];
      ids = input.toArray() as Int32Array;
    } else if (input !== null && typeof input === 'object' && typeof (input as ArrayLike<number>).length === 'number') {
      ids = Int32Array.from(input as ArrayLike<number>);
    } else {
      throw fail('E_ARGUMENT', `${op}: input must be token ids (an array, or an int32 tensor [T, B]), got ${describe(input)}`);
    }
    const T = ids.length / B;
    if (T < 1 || B < 1) throw fail('E_SHAPE', `${op}: input must have at least one token, got ${ids.length}`);
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= V) throw fail('E_ARGUMENT', `${op}: token ${i} = ${ids[i]} is outside the vocabulary [0, ${V})`);
    }
    return { steps: T, batch: B, slice: (t0, t1) => tensor(ids.subarray(t0 * B, t1 * B), [t1 - t0, B], { dtype: 'int32' }) };
  }
  if (!(input instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: input must be a Tensor x as ${model.constructor.name}.forward takes it, got ${describe(input)}`);
  input.check(op);
  const time = model.batchFirst ? 1 : 0;
  if (input.dtype !== 'float32' || input.shape.length !== 3 || input.shape[2] !== model.inputSize) {
    const layout = model.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]';
    throw fail('E_SHAPE', `${op}: input must be float32 ${layout} with inputSize = ${model.inputSize}, got ${input.dtype} [${input.shape.join(', ')}]`);
  }
  const T = input.shape[time];
  const B = input.shape[1 - time];
  if (T < 1 || B < 1) throw fail('E_SHAPE', `${op}: input must have at least one step and one batch element, got [${input.shape.join(', ')}]`);
  return { steps: T, batch: B, slice: (t0, t1) => (t0 === 0 && t1 === T ? input : input.slice(time, t0, t1)) };
}

/** What one forward of a diagnosed model gives: its output and the state after the last step. */
export interface ModelRun {
  /** LanguageModel: logits [T·B, V] (row t·B + b); a layer: its output as `forward` returns it. */
  output: Tensor;
  state: { h: Tensor; c: Tensor | null };
}

/**
 * One forward of `model` over `x` from `state` with `observe(k)` watching layer and direction k
 * (index l·D + d), step t reported as t + `offset`. Gradients are recorded unless the caller is in
 * `noGrad`; the caller sets eval mode (`inEvalMode`).
 */
export function watchedForward(model: DiagnosedModel, x: Tensor, state: DiagnosticState | null, observe: (k: number) => StepObserver | null, offset = 0): ModelRun {
  const rnn = model instanceof LanguageModel ? model.rnn : model;
  const D = rnn.numDirections;
  const watcher = (l: number, d: number): StepObserver | null => {
    const o = observe(l * D + d);
    if (o === null || offset === 0) return o;
    return {
      gates: o.gates === undefined ? undefined : (t, g) => o.gates!(t + offset, g),
      state: o.state === undefined ? undefined : (t, s: StepState) => o.state!(t + offset, s),
    };
  };
  return watchLayers(rnn, watcher, () => {
    if (model instanceof LanguageModel) {
      const s = state === null || state.h === undefined || state.h === null ? null : { h: state.h, c: state.c ?? null };
      const r = model.forward(x, s);
      return { output: r.logits, state: r.state };
    }
    const r = model.forward(x, state);
    return { output: r.output, state: { h: r.h, c: r.c ?? null } };
  });
}

/** Runs `fn` with `model` in eval mode (no dropout, so no draw from the RNG), then restores the mode. */
export function inEvalMode<T>(model: DiagnosedModel, fn: () => T): T {
  const was = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(was);
  }
}

/** Steps per scope when a forward-only diagnostic walks a long text: memory stays bounded. */
const CHUNK_STEPS = 256;

/**
 * Runs `model` over `seq` without gradients in eval mode, watched by `observe` (steps numbered over
 * the whole sequence). A unidirectional stack runs in chunks of `CHUNK_STEPS`, the state carried
 * across, so a long text needs bounded memory; a bidirectional one runs whole (its reverse
 * direction must start from the end).
 */
export function watchSequence(model: DiagnosedModel, seq: Sequence, state: DiagnosticState | null, observe: (k: number) => StepObserver | null): void {
  const rnn = model instanceof LanguageModel ? model.rnn : model;
  const chunk = rnn.numDirections === 2 ? seq.steps : CHUNK_STEPS;
  inEvalMode(model, () =>
    noGrad(() => {
      let carried: { h: Tensor; c: Tensor | null } | null = null;
      try {
        for (let t0 = 0; t0 < seq.steps; t0 += chunk) {
          const from: DiagnosticState | null = carried ?? state;
          const next: { h: Tensor; c: Tensor | null } = scope(() => watchedForward(model, seq.slice(t0, Math.min(seq.steps, t0 + chunk)), from, observe, t0).state);
          disposeCarried(carried);
          carried = next;
        }
      } finally {
        disposeCarried(carried);
      }
    }),
  );
}

function disposeCarried(s: { h: Tensor; c: Tensor | null } | null): void {
  s?.h.dispose();
  s?.c?.dispose();
}

/** Checks a diagnostic's options object against `keys` (unknown keys throw E_ARGUMENT) and its `state`. */
export function diagnosticOptions(op: string, options: unknown, keys: readonly string[]): Record<string, unknown> & { state: DiagnosticState | null } {
  const o = options === undefined || options === null ? {} : checkOptions(op, options, ['state', ...keys]);
  const state = o.state ?? null;
  if (state !== null && (typeof state !== 'object' || state instanceof Tensor || Array.isArray(state))) {
    throw fail('E_ARGUMENT', `${op}: state must be an object { h, c } (each optional), got ${describe(state)}`);
  }
  return { ...o, state: state as DiagnosticState | null };
}
