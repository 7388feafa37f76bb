// What every entry (Node, browser) exports besides its loaders. The kernels' raw export tables,
// the variant choice and its dispatch record stay internal: `core.exports` is typed, and `loadCore`
// options choose the build.
export { Arena } from './arena.js';
export { Core } from './core.js';
export { EddyError, describe, type CoreErrorCode } from './errors.js';
export { detectFeatures, type Features } from './features.js';
export type { LoadOptions, Variant } from './variant.js';
export type { Impl } from './validate.js';
export { sgemm, packB, sgemmPacked, type SgemmArgs, type PackedB, type PackBArgs, type SgemmPackedArgs } from './kernels/gemm.js';
export { INT8_MAX_K, int8RowStride, quantizeInt8, gemmInt8, type QuantizeInt8Args, type GemmInt8Args } from './kernels/quant.js';
export { lstmWorkspaceBytes, lstmForward, lstmBackward, type LstmForwardArgs, type LstmBackwardArgs } from './kernels/lstm.js';
export { gruWorkspaceBytes, gruForward, gruBackward, type GruForwardArgs, type GruBackwardArgs } from './kernels/gru.js';
export { rnnWorkspaceBytes, rnnForward, rnnBackward, type RnnForwardArgs, type RnnBackwardArgs } from './kernels/rnn.js';
export {
  add, sub, mul, scale, axpy, exp, log, sigmoid, tanh, relu, sigmoidBackward, tanhBackward, reluBackward, sum, sumOfSquares,
  softmax, logSoftmax, softmaxBackward, logSoftmaxBackward,
  type BinaryArgs, type ScaleArgs, type AxpyArgs, type UnaryArgs, type GradArgs, type OutputGradArgs, type InputGradArgs,
  type ReduceArgs, type RowsArgs, type RowsGradArgs,
} from './kernels/elementwise.js';
export { IGNORE_INDEX, softmaxCrossEntropy, type SoftmaxCrossEntropyArgs, type SoftmaxCrossEntropyResult } from './kernels/loss.js';
export { embeddingGather, embeddingScatterAdd, type EmbeddingGatherArgs, type EmbeddingScatterAddArgs } from './kernels/embedding.js';
export {
  sgdUpdate, adamUpdate, adamwUpdate, rmspropUpdate, adagradUpdate, clipValue,
  type SgdUpdateArgs, type AdamUpdateArgs, type RmspropUpdateArgs, type AdagradUpdateArgs, type ClipValueArgs,
} from './kernels/optim.js';
export { attentionForward, attentionBackward, type AttentionForwardArgs, type AttentionBackwardArgs } from './kernels/attention.js';
export { treeLstmCellForward, treeLstmCellBackward, transpose, type TreeLstmCellForwardArgs, type TreeLstmCellBackwardArgs, type TransposeArgs } from './kernels/tree.js';
