// The recurrent modules: one runner (runner.ts) over three cell families.
export { RNN, type RNNOptions } from './rnn.js';
export { LSTM, type LSTMOptions, type LSTMState, type LSTMOutput } from './lstm.js';
export { GRU, type GRUOptions } from './gru.js';
export {
  RecurrentBase, type RecurrentOptions, type RecurrentForwardOptions, type RecurrentState, type HiddenState, type HiddenOutput,
  type CellSpec, type LayerWeights, type LayerResult,
} from './runner.js';
