import type { LmConfig, SamplerConfig } from './rnn-lm.js';

/**
 * The canonical workloads of issue 4 — the one definition that `eddy bench` runs and that the
 * private bench package (`bench/src/suites/workloads.ts`) runs side by side with its peers:
 *
 * - W1: LSTM char-LM training step, V = 65, embedding V → H = 256, B = 32, T = 64, softmax
 *   cross-entropy over all T·B steps, Adam lr 2e-3, global-norm clip 5 — tokens/s = T·B / step.
 * - W2: the same with a GRU (PyTorch's form). W3: 2 LSTM layers of H = 512.
 * - W4: sampling latency of a 2×512 LSTM at batch 1: embedding → 2 cells → linear → softmax → draw,
 *   state carried — µs per character.
 *
 * The models are in ./rnn-lm.ts (`rnnLmTrainer`, `lstmSampler`; the data: `workloadBatches` over `workloadCorpus`).
 */
export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4';

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

/** The median of `xs` (not empty): the machines are shared and noisy, so timings report medians. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
