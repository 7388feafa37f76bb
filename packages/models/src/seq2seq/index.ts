// Sequence to sequence: an encoder–decoder with attention, its loss, and greedy, sampled and
// batched beam-search decoding.
export { Seq2Seq, type Seq2SeqOptions, type Seq2SeqLossOptions, type TranslateOptions, type Translation } from './seq2seq.js';
export type { Seq2SeqBatch } from './batch.js';
export type { AttentionKind } from './decoder.js';
