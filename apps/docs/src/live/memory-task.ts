import { crossEntropy, eye, Generator, index, manualSeed, optim, reshape, scope, slice, tensor, type Tensor } from '@eddy/autograd';
import { gradientThroughTime, Linear, LSTM, recurrentSpectra, RNN } from '@eddy/models';
import { PageTraining, type TrainOptions } from './page-training.js';
import type { GradientCurve } from './protocol.js';

/** The networks the vanishing-gradient page compares, in plot order. */
export const MEMORY_NETWORKS = [
  { key: 'tanh', label: 'tanh RNN', color: '#d1495b' },
  { key: 'irnn', label: 'ReLU RNN, W_hh = I', color: '#2e86ab' },
  { key: 'lstm', label: 'LSTM', color: '#3c8d2f' },
] as const;

/** Sequences the gradient curves average over. */
const DIAGNOSTIC_BATCH = 4;

export type MemoryNetworkKey = (typeof MEMORY_NETWORKS)[number]['key'];

export interface MemoryTaskOptions {
  /** T: steps per sequence. Default 20. */
  steps?: number;
  /** K: symbols to remember (the first input); the rest of the sequence is K other, distracting symbols. Default 4. */
  symbols?: number;
  hiddenSize?: number;
  batchSize?: number;
  seed?: number;
}

/**
 * The vanishing-gradient page's task and models: each sequence starts with one of K symbols, then
 * T − 1 random distractors; after the last step the network must name the first symbol, so the
 * loss's gradient has to reach step 1. Three networks (tanh RNN, identity-initialised ReLU RNN,
 * LSTM) read one-hot input through their `embedding` option and a linear readout of h_T each; they
 * train together under one Adam (their parameters are disjoint, so each moves as if alone), and
 * the reported loss is their mean.
 */
export class MemoryTask {
  readonly T: number;
  readonly K: number;
  readonly networks: Record<MemoryNetworkKey, { rnn: RNN | LSTM; readout: Linear }>;
  private readonly B: number;
  private readonly oneHot: Tensor;
  private readonly rng: Generator;
  private readonly training: PageTraining;

  constructor(options: MemoryTaskOptions = {}) {
    const { steps = 20, symbols = 4, hiddenSize = 32, batchSize = 32, seed = 0 } = options;
    this.T = steps;
    this.K = symbols;
    this.B = batchSize;
    manualSeed(seed);
    this.rng = new Generator(seed);
    const I = 2 * symbols;
    const readout = () => new Linear({ inFeatures: hiddenSize, outFeatures: symbols });
    this.networks = {
      tanh: { rnn: new RNN({ inputSize: I, hiddenSize }), readout: readout() },
      irnn: { rnn: new RNN({ inputSize: I, hiddenSize, nonlinearity: 'relu', init: 'identity' }), readout: readout() },
      lstm: { rnn: new LSTM({ inputSize: I, hiddenSize, forgetBias: 1 }), readout: readout() },
    };
    this.oneHot = eye(I);
    const parameters = Object.values(this.networks).flatMap((n) => [...n.rnn.parameters(), ...n.readout.parameters()]);
    const keys = MEMORY_NETWORKS.map((n) => n.key);
    const loss = () => {
      const { tokens, targets } = this.batch();
      return keys.map((k) => this.loss(k, tokens, targets)).reduce((a, b) => a.add(b)).mul(1 / keys.length);
    };
    this.training = new PageTraining({ optimizer: new optim.Adam(parameters, { lr: 3e-3 }), loss, clip: 0 });
  }

  /** A batch: tokens [T, B] (symbol k < K first, distractors K…2K−1 after) and the targets [B]. */
  batch(B = this.B): { tokens: Tensor; targets: Tensor } {
    const { T, K } = this;
    const ids = new Int32Array(T * B);
    const targets = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      targets[b] = Math.floor(this.rng.nextDouble() * K);
      ids[b] = targets[b];
      for (let t = 1; t < T; t++) ids[t * B + b] = K + Math.floor(this.rng.nextDouble() * K);
    }
    return { tokens: tensor(ids, [T, B], { dtype: 'int32' }), targets: tensor(targets, [B], { dtype: 'int32' }) };
  }

  /** The cross-entropy of one network's answer after the last step. */
  loss(key: MemoryNetworkKey, tokens: Tensor, targets: Tensor): Tensor {
    const { rnn, readout } = this.networks[key];
    const { output } = rnn.forward(tokens, null, { embedding: this.oneHot });
    const last = reshape(slice(output, 0, this.T - 1), [this.B, output.shape[2]]);
    return crossEntropy(readout.forward(last), targets);
  }

  /**
   * Per network, on a fresh batch of DIAGNOSTIC_BATCH sequences (the per-step path it runs is
   * slower than training's fused kernels): ‖∂L/∂hₜ‖ for t = 1…T with L = Σ h_T (diagnostics'
   * `gradientThroughTime`, which leaves training untouched), and ρ(W_hh) — for the LSTM, of its
   * forget-gate block, the one that multiplies the cell's gradient.
   */
  gradientCurves(): GradientCurve[] {
    return scope(() => {
      const x = index(this.oneHot, this.batch(DIAGNOSTIC_BATCH).tokens); // [T, B, 2K] one-hot
      return MEMORY_NETWORKS.map(({ key }) => {
        const { rnn } = this.networks[key];
        const [spectrum] = recurrentSpectra(rnn);
        const radius = spectrum.radius ?? spectrum.gates.find((g) => g.gate === 'f')!.radius!;
        return { key, norms: Array.from(gradientThroughTime(rnn, x).layers[0].norms), radius };
      });
    });
  }

  /** Trains the three networks; `onEvent` gets the mean loss of each step. */
  train(options: TrainOptions): Promise<number> {
    return this.training.train(options);
  }
}
