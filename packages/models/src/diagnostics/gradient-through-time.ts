import { crossEntropy, detach, isGradEnabled, scope, Tensor, tensor, zeros } from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { LanguageModel } from '../lm/language-model.js';
import { checkWindow, type LmWindowLike } from '../lm/window.js';
import { diagnosticOptions, inEvalMode, layerKeys, recurrentOf, sequenceOf, watchedForward, type DiagnosedModel, type DiagnosticState, type LayerKey } from './watch.js';

/** Which loss L the gradient is taken of. */
export type GradientLoss = 'last' | 'window' | ((output: Tensor) => Tensor);

/** `gradientThroughTime` options. */
export interface GradientThroughTimeOptions {
  /**
   * L. 'last' (default): the loss of the last step alone — a language model's cross-entropy of
   * its prediction after step T − 1 (mean over streams), a recurrent layer's Σ y_{T−1} (every
   * feature and stream of its last output) — so ‖∂L/∂hₜ‖ over t is the lectures' vanishing and
   * exploding plot. 'window': a language model's training loss, the mean cross-entropy of every
   * step; a layer's (1/T) Σₜ Σ yₜ. Or a function of the model's output (a language model's logits
   * [T·B, V], a layer's output as `forward` returns it) to a scalar tensor; parameters it reads
   * itself (a head of your own) receive gradients as in any backward.
   */
  loss?: GradientLoss;
  /** The state before the first step (absent or null: zeros); it is copied, never differentiated. */
  state?: DiagnosticState | null;
}

/** ‖∂L/∂hₜ‖ of one layer and direction. */
export interface LayerGradientNorms extends LayerKey {
  /** T values: at t, the norm over every stream and feature of ∂L/∂hₜ. */
  norms: Float64Array;
}

/** `gradientThroughTime`'s result. */
export interface GradientThroughTime {
  /** T. */
  steps: number;
  /** B. */
  batch: number;
  /** The value of L. */
  loss: number;
  /** Every layer and direction, in PyTorch's order (l·D + d). */
  layers: LayerGradientNorms[];
}

/**
 * ‖∂L/∂hₜ‖ for every step t of a window and every layer and direction: how much of the loss's
 * gradient reaches step t back through time (Bengio et al. 1994; Pascanu et al. 2013). ∂L/∂hₜ is
 * the total derivative, through the output at t, the next layer and hₜ₊₁ alike, written
 *
 *     ∂L/∂hₜ = ∂L/∂yₜ + (∂hₜ₊₁/∂hₜ)ᵀ ∂L/∂hₜ₊₁,     ∂hₜ₊₁/∂hₜ = diag(φ′(aₜ₊₁)) W_hh  (Elman)
 *
 * so a W_hh with spectral radius below 1 makes it shrink geometrically as t moves back from T.
 *
 * `input`: for a `LanguageModel`, a window (text's `LmWindow` or any `LmWindowLike`; the whole
 * window runs with gradients, `detachAt` is ignored); for an `RNN`, `LSTM` or `GRU`, x as its
 * `forward` takes it. The model runs its own per-step equations (the same function as training's
 * forward, in eval mode: no dropout) with a zero tensor zₜ added to every hₜ; ∂L/∂zₜ = ∂L/∂hₜ.
 * The parameters do not require grad meanwhile, so no parameter gradient is computed or left
 * behind, the existing `.grad`s, the mode and the RNG are untouched: training goes on exactly as
 * without the call.
 *
 * @example
 * const { layers } = gradientThroughTime(lm, window);                 // loss 'last'
 * layers[0].norms; // Float64Array(T): small at t = 0 when gradients vanish
 */
export function gradientThroughTime(model: DiagnosedModel, input: LmWindowLike | Tensor, options?: GradientThroughTimeOptions): GradientThroughTime {
  const op = 'gradientThroughTime';
  const rnn = recurrentOf(op, model);
  const o = diagnosticOptions(op, options, ['loss']);
  const loss = (o.loss ?? 'last') as GradientLoss;
  if (loss !== 'last' && loss !== 'window' && typeof loss !== 'function') {
    throw fail('E_ARGUMENT', `${op}: loss must be 'last', 'window' or a function of the output, got ${describe(loss)}`);
  }
  if (!isGradEnabled()) throw fail('E_GRAD', `${op}: gradients are not being recorded (called inside noGrad or a backward)`);
  const { x, targets, T, B } = readInput(op, model, input);
  const keys = layerKeys(rnn);
  const params = model.parameters();
  const flags = params.map((p) => p.requiresGrad);
  return inEvalMode(model, () =>
    scope(() => {
      for (const p of params) p.requiresGrad = false;
      try {
        const probes = keys.map(() => new Array<Tensor>(T));
        const state = o.state === null ? null : { h: copyOf(o.state.h), c: copyOf(o.state.c) };
        const run = watchedForward(model, x, state, (k) => ({
          state(t, s) {
            const z = zeros(s.h.shape).setRequiresGrad();
            probes[k][t] = z;
            return { h: s.h.add(z), c: s.c };
          },
        }));
        const L = lossOf(op, model, run.output, targets, loss, T, B);
        L.backward();
        const layers = keys.map((key, k) => ({ ...key, norms: Float64Array.from(probes[k], (z) => normOf(z.grad)) }));
        return { steps: T, batch: B, loss: L.item(), layers };
      } finally {
        params.forEach((p, i) => (p.requiresGrad = flags[i]));
      }
    }),
  );
}

function readInput(op: string, model: DiagnosedModel, input: unknown): { x: Tensor; targets: Int32Array | null; T: number; B: number } {
  if (model instanceof LanguageModel) {
    if (input instanceof Tensor || input === null || typeof input !== 'object') {
      throw fail('E_ARGUMENT', `${op}: a LanguageModel reads a window { inputs, targets, steps, batchSize }, got ${describe(input)}`);
    }
    const w = input as LmWindowLike;
    const { steps: T, batchSize: B } = checkWindow(op, w, model.vocabSize);
    return { x: tensor(w.inputs.subarray(0, T * B), [T, B], { dtype: 'int32' }), targets: w.targets.subarray(0, T * B), T, B };
  }
  const seq = sequenceOf(op, model, input);
  return { x: seq.slice(0, seq.steps), targets: null, T: seq.steps, B: seq.batch };
}

function lossOf(op: string, model: DiagnosedModel, output: Tensor, targets: Int32Array | null, loss: GradientLoss, T: number, B: number): Tensor {
  let L: unknown;
  if (typeof loss === 'function') L = loss(output);
  else if (targets !== null) {
    const from = loss === 'last' ? T - 1 : 0;
    L = crossEntropy(output.slice(0, from * B, T * B), tensor(targets.subarray(from * B), [(T - from) * B], { dtype: 'int32' }));
  } else {
    const time = !(model instanceof LanguageModel) && model.batchFirst ? 1 : 0;
    L = loss === 'last' ? output.slice(time, T - 1, T).sum() : output.sum().div(T);
  }
  if (!(L instanceof Tensor) || L.size !== 1 || L.dtype !== 'float32') {
    throw fail('E_ARGUMENT', `${op}: loss must return a scalar float32 Tensor, got ${describe(L)}`);
  }
  if (!L.requiresGrad) throw fail('E_ARGUMENT', `${op}: loss does not depend on the model's output (no gradient reaches it)`);
  return L;
}

function copyOf(t: Tensor | null | undefined): Tensor | null {
  return t === undefined || t === null ? null : detach(t);
}

function normOf(g: Tensor | null): number {
  if (g === null) return 0;
  let s = 0;
  for (const v of g.toFloat32Array()) s += v * v;
  return Math.sqrt(s);
}
