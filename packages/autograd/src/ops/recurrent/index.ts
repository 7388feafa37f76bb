// Fused recurrent layers: one tape node per layer and direction over a whole sequence, and the
// per-step cells (the same Functions with T = 1).
export { lstmSequence, lstmCell, type LstmSequenceOptions, type LstmSequenceResult, type LstmState } from './lstm.js';
export { gruSequence, gruCell, type GruSequenceOptions, type GruSequenceResult, type GruForm } from './gru.js';
export { rnnSequence, rnnCell, type RnnSequenceOptions, type RnnSequenceResult, type RnnForm, type Nonlinearity } from './rnn.js';
export type { SequenceOptions, RecurrentWeights } from './options.js';
export { projectedEmbedding, projectionPays } from './projected.js';
