import { detach, keep, manualSeed, optim, scope } from '@eddy/autograd';
import { disposeState, LanguageModel, type LmState } from './language-model.js';
import { QuantizedLanguageModel, type Quantization } from './quantized.js';
import type { LmWindowLike } from './window.js';

// The canonical workloads W1–W4 (`@eddy/models/workloads`): the one definition that `eddy bench`
// runs and that the private bench package runs beside its peers (tfjs, PyTorch). They time the
// library's own LanguageModel, as a user trains and samples it:
//
// - W1: LSTM char-LM training step, V = 65, embedding V → H = 256, B = 32, T = 64, softmax
//   cross-entropy over all T·B steps, Adam lr 2e-3, global-norm clip 5 — tokens/s = T·B / step.
// - W2: the same with a GRU (PyTorch's form). W3: 2 LSTM layers of H = 512.
// - W4: sampling latency of a 2×512 LSTM at batch 1: embedding → 2 layers → linear → softmax → draw,
//   state carried — µs per character.
//
// The training windows are text's `LmBatcher` over `workloadCorpus(V)` (B streams, windows of T,
// dropLast); models does not import text, so the caller passes them in.

export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4';

/** The shape of a training workload's model and batches. */
export interface LmConfig {
  cell: 'lstm' | 'gru';
  V: number;
  H: number;
  layers: number;
  B: number;
  T: number;
  seed?: number;
}

/** The shape of W4's sampler: vocabulary V, `layers` LSTM layers of H units. */
export interface SamplerConfig {
  V: number;
  H: number;
  layers: number;
  seed?: number;
}

/** A training workload: throughput of one truncated-BPTT window, in tokens (T·B) per second. */
export interface TrainingWorkload {
  name: 'W1' | 'W2' | 'W3';
  kind: 'training';
  config: LmConfig;
  /** Measured steps `eddy bench` times by default (the bench package has its own budgets). */
  steps: number;
}

/** A sampling workload: latency of drawing one character at batch 1, in µs. */
export interface SamplingWorkload {
  name: 'W4';
  kind: 'sampling';
  config: SamplerConfig;
  /** Characters `eddy bench` times by default. */
  steps: number;
}

export type Workload = TrainingWorkload | SamplingWorkload;

const V = 65, B = 32, T = 64;

/** W1–W4 in order. */
export const WORKLOADS: readonly Workload[] = [
  { name: 'W1', kind: 'training', config: { cell: 'lstm', V, H: 256, layers: 1, B, T }, steps: 20 },
  { name: 'W2', kind: 'training', config: { cell: 'gru', V, H: 256, layers: 1, B, T }, steps: 20 },
  { name: 'W3', kind: 'training', config: { cell: 'lstm', V, H: 512, layers: 2, B, T }, steps: 8 },
  { name: 'W4', kind: 'sampling', config: { V, H: 512, layers: 2 }, steps: 1000 },
];

export const WORKLOAD_NAMES: readonly WorkloadName[] = WORKLOADS.map((w) => w.name);

/** One line saying what a workload runs: `LSTM 1×256 training step (V 65, B 32, T 64)`. */
export function describeWorkload(w: Workload): string {
  const { V: v, H, layers } = w.config;
  if (w.kind === 'sampling') return `LSTM ${layers}×${H} sampling at batch 1 (V ${v})`;
  return `${w.config.cell.toUpperCase()} ${layers}×${H} training step (V ${v}, B ${w.config.B}, T ${w.config.T})`;
}

/** The workloads' deterministic corpus: a repeated paragraph mapped into [0, V) (the peers train on it too). */
export function workloadCorpus(vocabSize: number, length = 1 << 16): Int32Array {
  const text = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs! ';
  return Int32Array.from({ length }, (_, i) => text.charCodeAt(i % text.length) % vocabSize);
}

/**
 * W4's draw, shared with the peers so that all sample the same way: a 32-bit LCG seeded with `seed`
 * gives u in [0, 1), and the drawn index is the first whose cumulative probability exceeds u.
 */
export function workloadDraw(seed: number): (probs: ArrayLike<number>) => number {
  let rng = seed >>> 0;
  return (probs) => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    let u = rng / 2 ** 32;
    for (let i = 0; i < probs.length; i++) {
      u -= probs[i];
      if (u < 0) return i;
    }
    // Rounding can leave u ≥ 0 after the last term.
    return probs.length - 1;
  };
}

/** Milliseconds spent in each phase of one training step. */
export interface StepPhases {
  forward: number;
  backward: number;
  clip: number;
  optimizer: number;
  /** Leaving the scope (freeing the step's tensors, cutting the tape) and carrying the state. */
  other: number;
  total: number;
}

export interface LmTrainer {
  /** One training step on the next window; returns the loss and the time of each phase. */
  step(): { loss: number; phases: StepPhases };
  readonly model: LanguageModel;
  dispose(): void;
}

/**
 * W1–W3: the library's `LanguageModel` (embedding → `layers` fused LSTM/GRU layers → linear),
 * Adam lr 2e-3 and global-norm clip 5, one window of `nextWindow()` per `step()`, the state carried
 * across windows.
 */
export function workloadTrainer({ cell, V: vocabSize, H, layers, seed = 1234 }: LmConfig, nextWindow: () => LmWindowLike): LmTrainer {
  manualSeed(seed);
  const model = new LanguageModel({ cell, vocabSize, hiddenSize: H, numLayers: layers });
  const opt = new optim.Adam(model.parameters(), { lr: 2e-3 });
  let state: LmState | null = null;
  return {
    model,
    step() {
      const w = nextWindow();
      const t0 = performance.now();
      let t1 = 0, t2 = 0, t3 = 0, t4 = 0;
      const loss = scope(() => {
        const r = model.windowLoss(w, state);
        t1 = performance.now();
        opt.zeroGrad();
        r.loss.backward();
        t2 = performance.now();
        optim.clipGradNorm(opt.params, 5);
        t3 = performance.now();
        opt.step();
        t4 = performance.now();
        const carried: LmState = { h: keep(detach(r.state.h)), c: r.state.c === null ? null : keep(detach(r.state.c)) };
        disposeState(state);
        state = carried;
        return r.loss.item();
      });
      const t5 = performance.now();
      return { loss, phases: { forward: t1 - t0, backward: t2 - t1, clip: t3 - t2, optimizer: t4 - t3, other: t5 - t4, total: t5 - t0 } };
    },
    dispose() {
      disposeState(state);
      model.dispose();
    },
  };
}

export interface Sampler {
  /** Samples one character: the model's step → softmax → draw; carries the state. */
  step(): number;
  readonly model: LanguageModel;
  dispose(): void;
}

/**
 * W4: character-by-character sampling from an L×H LSTM `LanguageModel` at batch 1 (`advance`);
 * with `quantize`, from its quantized copy (`QuantizedLanguageModel`).
 */
export function workloadSampler({ V: vocabSize, H, layers, seed = 1234 }: SamplerConfig, options: { quantize?: Quantization } = {}): Sampler {
  manualSeed(seed);
  const model = new LanguageModel({ cell: 'lstm', vocabSize, hiddenSize: H, numLayers: layers });
  model.eval();
  const runner = options.quantize === undefined ? model : new QuantizedLanguageModel(model, options.quantize);
  const draw = workloadDraw(seed);
  const probs = new Float32Array(vocabSize);
  let state: LmState | null = null;
  let char = 0;
  return {
    model,
    step() {
      const r = runner.advance([char], state);
      state = r.state;
      softmaxInto(r.logits, probs);
      char = draw(probs);
      return char;
    },
    dispose() {
      disposeState(state);
      if (runner !== model) runner.dispose();
      model.dispose();
    },
  };
}

/** p = softmax(z) over V values (V is small: the draw's cost, as the peers pay it too). */
function softmaxInto(z: Float32Array, p: Float32Array): void {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) p[i] /= sum;
}

