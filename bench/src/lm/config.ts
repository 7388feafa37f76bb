/** One language-model configuration, shared by the Eddy run and the PyTorch script (as JSON). */
export interface LmConfig {
  task: 'char' | 'ptb';
  vocabSize: number;
  /** char-rnn feeds one-hot vectors to the first LSTM layer; Zaremba an embedding. */
  input: 'onehot' | 'embedding';
  embeddingDim: number;
  hidden: number;
  layers: number;
  seqLen: number;
  batch: number;
  steps: number;
  optimizer: { type: 'rmsprop'; lr: number; alpha: number; eps: number } | { type: 'sgd'; lr: number };
  /** char-rnn: element-wise clamp of the gradient; Zaremba: rescale to a global L2 norm. */
  clip: { kind: 'value' | 'norm'; max: number };
  /** 'time': gradients of Σₜ (batch-mean loss at step t), as both Lua originals; 'mean': of the mean. */
  lossScale: 'time' | 'mean';
  /** Every parameter from U(−r, r). */
  initRange: number;
  /** Value written into the forget-gate slice of bias_ih (0: none). */
  forgetBias: number;
  seed: number;
  threads: number;
  progressEvery: number;
}

/** char-rnn's defaults (train.lua): 2×128 LSTM, seq 50, batch 50, RMSprop 2e-3 α 0.95, clamp 5, seed 123. */
export function charRnnConfig(vocabSize: number, steps: number): LmConfig {
  return {
    task: 'char', vocabSize, input: 'onehot', embeddingDim: vocabSize, hidden: 128, layers: 2, seqLen: 50, batch: 50, steps,
    optimizer: { type: 'rmsprop', lr: 2e-3, alpha: 0.95, eps: 1e-8 },
    clip: { kind: 'value', max: 5 }, lossScale: 'time', initRange: 0.08, forgetBias: 1, seed: 123, threads: 1,
    progressEvery: 50,
  };
}

/** Zaremba et al. (2014), small: 2×200 LSTM, embedding 200, unroll 20, batch 20, SGD lr 1, norm clip 5, U(±0.1), no dropout. */
export function zarembaSmallConfig(vocabSize: number, steps: number): LmConfig {
  return {
    task: 'ptb', vocabSize, input: 'embedding', embeddingDim: 200, hidden: 200, layers: 2, seqLen: 20, batch: 20, steps,
    optimizer: { type: 'sgd', lr: 1 },
    clip: { kind: 'norm', max: 5 }, lossScale: 'time', initRange: 0.1, forgetBias: 0, seed: 123, threads: 1,
    progressEvery: 500,
  };
}

/** Windows in one epoch of LmBatcher over n ids (every window, the last one possibly shorter). */
export function windowsPerEpoch(n: number, batch: number, seqLen: number): number {
  return Math.ceil((Math.floor(n / batch) - 1) / seqLen);
}
