// The recurrent modules: one runner (runner.ts) over three cell families, the fused kernels or the
// per-step path (stepwise.ts), and the options beyond PyTorch (variants/).
export { RNN, type RNNOptions } from './rnn.js';
export { LSTM, type LSTMOptions, type LSTMState, type LSTMOutput } from './lstm.js';
export { GRU, type GRUOptions } from './gru.js';
export { type VariantOptions, type MergeMode, type RecurrentInit } from './variants/options.js';
export {
  RecurrentBase, type RecurrentOptions, type RecurrentForwardOptions, type RecurrentState, type HiddenState, type HiddenOutput,
  type CellSpec, type LayerWeights, type LayerResult, type ExtraParameter,
} from './runner.js';
