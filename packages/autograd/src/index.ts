// @eddy/autograd: tensors in the wasm core's memory, a tape, and the operations on them. Helpers the
// Eddy packages above share but users should not see are in ./internal.ts (`@eddy/autograd/internal`).
export { ready, useCore, getCore, loadCore, detectFeatures, EddyError, type AutogradErrorCode, type Core } from './backend.js';
export { Tensor, type DType } from './tensor.js';
export { tensor, full, zeros, ones, zerosLike, randn, rand, arange, eye, type TensorOptions } from './creation.js';
export { scope, keep, detach, noGrad, isGradEnabled } from './scope.js';
export { backward } from './tape.js';
export { apply, applyMany, Node, type Function } from './function.js';
export { add, sub, mul, div, neg, where, maskedFill } from './ops/elementwise.js';
export { exp, log, tanh, sigmoid, relu, softmax, logSoftmax } from './ops/activation.js';
export { sum, mean, max, argmax } from './ops/reduce.js';
export { matmul } from './ops/matmul.js';
export { linear } from './ops/linear.js';
export { Int8Weight, quantizeInt8, linearInt8 } from './ops/int8.js';
export { attention, type AttentionScores, type AttentionStep } from './ops/attention.js';
export { reshape, permute, transpose, slice, concat, stack, split, index, gather } from './ops/shape.js';
export { manualSeed, getRngState, setRngState } from './rng.js';
export type { Shape } from './shapes.js';
export { Generator, type GeneratorState } from './rng.js';
export * as init from './init.js';
export * as optim from './optim/index.js';
export { crossEntropy, mse, binaryCrossEntropyWithLogits, type CrossEntropyOptions, type Reduction } from './ops/loss.js';
export { dropout } from './ops/dropout.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
export {
  lstmSequence, lstmCell, gruSequence, gruCell, rnnSequence, rnnCell,
  type LstmSequenceOptions, type LstmSequenceResult, type LstmState, type GruSequenceOptions, type GruSequenceResult,
  type GruForm, type RnnSequenceOptions, type RnnSequenceResult, type RnnForm, type Nonlinearity, type SequenceOptions,
  type RecurrentWeights, projectedEmbedding,
} from './ops/recurrent/index.js';
