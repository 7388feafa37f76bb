// @eddy/text: tokenizers and vocabularies, language-model batching, sampling and beam search.
export type { TextErrorCode } from './errors.js';
export { Vocab, PAD, UNK, BOS, EOS, SPECIAL_TOKENS, MAX_VOCAB_SIZE, MAX_SYMBOL_LENGTH, type VocabJSON, type VocabFromCountsOptions } from './vocab.js';
export type { Tokenizer, StreamDecoder, TokenizerConfig, CharTokenizerConfig, WordTokenizerConfig, BpeTokenizerConfig } from './tokenizers/tokenizer.js';
export { CharTokenizer, type CharTokenizerOptions } from './tokenizers/char.js';
export { WordTokenizer, WORD_PATTERNS, type WordTokenizerOptions, type WordTokenizerConfigOptions, type WordTokenizerTrainOptions } from './tokenizers/word.js';
export { BpeTokenizer, MAX_TOKEN_BYTES, type BpeTrainOptions } from './tokenizers/bpe.js';
export { tokenizerFromConfig, type TokenizerConfigOptions } from './tokenizers/from-config.js';
export { LmBatcher, type LmBatcherOptions, type LmBatcherState, type LmWindow } from './batching/lm-streams.js';
export { splitCorpus, type CorpusSplit } from './batching/split.js';
export { bucketBatches, type BucketOptions, type PaddedBatch } from './batching/buckets.js';
export { greedy, createSampler, samplingDistribution, type Sampler, type SamplingOptions } from './decoding/samplers.js';
export { generate, generateAsync, type GenerateOptions, type DecodeOptions, type StepFunction, type StepResult } from './decoding/generate.js';
export { beamSearch, lengthPenalty, type BeamSearchOptions, type Hypothesis } from './decoding/beam.js';
export {
  parseLabelledLines, classificationBatches, accuracy, macroF1, confusionMatrix, perTagAccuracy, parseWordVectors, MAX_VECTOR_DIM, MAX_WORD_VECTORS,
  type LabelledLinesOptions, type LabelledLines, type ClassificationExample, type ClassificationBatchOptions, type ClassificationBatch,
  type Labels, type PerTagAccuracyOptions, type PerTagAccuracy, type WordVectorOptions, type WordVectors,
} from './classification/index.js';
export {
  parseTree, parseTrees, toBracketString, binarize, treeFromTokens, treeFromParents, heights, leafWords, preorder, numChildren, NO_LABEL,
  levelSchedule, childListSchedule, leafWordCounts, unkReplacement,
  type Tree, type BinarizeMode, type WordIds, type UniformSource, type LevelSchedule, type ChildListSchedule, type BinaryLevel, type ChildListLevel, type ScheduleLeaves,
} from './trees/index.js';
export {
  parseParallelLines, parallelBatches, bleu, tokenize13a, exactMatch, tokenAccuracy,
  type ParallelLinesOptions, type ParallelLines, type ParallelPair, type ParallelExample, type ParallelBatchOptions, type ParallelBatch, type BleuOptions, type BleuScore,
} from './parallel/index.js';
