// The step-wise modules (torch.nn's LSTMCell, GRUCell, RNNCell): one fused kernel call per step,
// the building blocks of decoders that feed each output back in.
export { LSTMCell, type LSTMCellOptions, type LSTMCellState } from './lstm.js';
export { GRUCell, type GRUCellOptions, type HiddenCellState } from './gru.js';
export { RNNCell, type RNNCellOptions } from './rnn.js';
export { CellBase, type CellOptions, type CellState } from './cell.js';
