// @eddy/models: modules with PyTorch's names and semantics, their layers, and safetensors.
export { ready, EddyError } from '@eddy/autograd';
export { type ModelsErrorCode } from './errors.js';
export {
  Module,
  StateDictError,
  type ModuleConfig,
  type ModuleFactory,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type MismatchedKey,
} from './module.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { Sequential } from './layers/sequential.js';
export {
  saveSafetensors,
  loadSafetensors,
  loadSafetensorsWithMetadata,
  MAX_HEADER_BYTES,
  MAX_TENSORS,
  type SafetensorsContents,
} from './safetensors.js';
export {
  RNN, LSTM, GRU, RecurrentBase,
  type RNNOptions, type LSTMOptions, type GRUOptions, type LSTMState, type LSTMOutput, type HiddenState, type HiddenOutput,
  type RecurrentOptions, type RecurrentForwardOptions, type RecurrentState, type CellSpec, type LayerWeights, type LayerResult,
  type ExtraParameter, type VariantOptions, type MergeMode, type RecurrentInit,
} from './recurrent/index.js';
export { LanguageModel, disposeState, type LanguageModelOptions, type LmState, type CellKind } from './lm/language-model.js';
export { QuantizedLanguageModel, type Quantization } from './lm/quantized.js';
export type { LmWindowLike } from './lm/window.js';
export { windowTraining, type WindowTraining, type NextWindow } from './lm/window-training.js';
export {
  trainLoop, DivergenceError, MAX_WEIGHT, type TrainLoopOptions, type TrainResult, type TrainEvent, type CheckpointEvent, type CheckpointReason, type StepLoss,
} from './training/train-loop.js';
export {
  recordStates, gateStatistics, gradientThroughTime, spectralNorm, spectralRadius, eigenvalues, recurrentSpectra, GATE_LOW, GATE_HIGH, MAX_SPECTRAL_SIZE,
  type DiagnosedModel, type DiagnosticInput, type DiagnosticState, type LayerKey, type RecordStatesOptions, type RecordedLayer, type StateRecording,
  type GateStatisticsOptions, type GateSaturation, type LayerGateStatistics, type GateStatistics, type GradientThroughTimeOptions, type GradientLoss,
  type LayerGradientNorms, type GradientThroughTime, type SpectralNormOptions, type GateSpectrum, type LayerSpectrum, type Eigenvalues,
} from './diagnostics/index.js';
export { exportOnnx, type ExportOnnxOptions } from './onnx/export.js';
export { LSTMCell, GRUCell, RNNCell, CellBase, type LSTMCellOptions, type GRUCellOptions, type RNNCellOptions, type LSTMCellState, type HiddenCellState, type CellOptions, type CellState } from './cells/index.js';
export {
  AttentionBase, BahdanauAttention, LuongAttention, type AttentionMemory,
  type AttentionForwardOptions, type AttentionOutput, type AttentionLengths, type PrepareOptions, type ProjectKeysOptions, type BahdanauAttentionOptions, type LuongAttentionOptions, type LuongScore,
} from './attention/index.js';
export {
  SequenceClassifier, SequenceTagger, NO_TAG, AttentionPooling, attentionPool, maxPool, meanPool, loadPretrained,
  type SequenceClassifierOptions, type ClassifierOutput, type ClassifierPrediction, type SequenceTaggerOptions, type Pooling,
  type AttentionPoolingOptions, type PretrainedResult, type EncoderOptions,
} from './classify/index.js';
export {
  TreeModel, RecursiveNN, RNTN, BinaryTreeLSTM, ChildSumTreeLSTM,
  type TreeBatch, type TreeModelOptions, type TreeOutput, type TreeLossOptions, type RecursiveNNOptions, type RNTNOptions, type BinaryTreeLSTMOptions,
  type ChildListBatch, type ChildSumTreeLSTMOptions,
} from './tree/index.js';
export { Seq2Seq, type Seq2SeqOptions, type Seq2SeqLossOptions, type Seq2SeqBatch, type TranslateOptions, type Translation, type AttentionKind } from './seq2seq/index.js';
