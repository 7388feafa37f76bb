import { Tensor, tensor } from '@eddy/autograd';
import { boolOption, choiceOption, defaultGenerator, intOption, rangeOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import type { CellKind } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';

// The part SequenceClassifier and SequenceTagger share: token ids → embedding → recurrent stack
// over the valid steps of each sequence. Each model registers the modules under its own names.

/** The options of the embedding and the recurrent stack. */
export interface EncoderOptions {
  /** V: tokens in the vocabulary (specials included). */
  vocabSize: number;
  /** E: the embedding width. Default 100. */
  embeddingSize?: number;
  /** H: the hidden state width of each direction. Default 100. */
  hiddenSize?: number;
  /** The recurrent cell. Default 'lstm'. */
  cell?: CellKind;
  /** L: stacked recurrent layers. Default 1. */
  numLayers?: number;
  /** A second layer reading each sentence backwards (D = 2, features 2H). Default false. */
  bidirectional?: boolean;
  /** Dropout probability (between layers and before the output layer), in training mode. Default 0.5. */
  dropout?: number;
  /** The id of padding, whose embedding row is zero and gets no gradient; null for none. Default 0 (text's `PAD`). */
  paddingIdx?: number | null;
}

export const ENCODER_OPTION_KEYS = ['vocabSize', 'embeddingSize', 'hiddenSize', 'cell', 'numLayers', 'bidirectional', 'dropout', 'paddingIdx'] as const;

/** `EncoderOptions` checked, every default filled in. */
export type ParsedEncoderOptions = Required<EncoderOptions>;

export function parseEncoderOptions(op: string, o: Record<string, unknown>): ParsedEncoderOptions {
  const vocabSize = intOption(op, 'vocabSize', o.vocabSize, 1);
  return {
    vocabSize,
    embeddingSize: intOption(op, 'embeddingSize', o.embeddingSize, 1, 100),
    hiddenSize: intOption(op, 'hiddenSize', o.hiddenSize, 1, 100),
    cell: choiceOption(op, 'cell', o.cell, ['lstm', 'gru', 'rnn'], 'lstm'),
    numLayers: intOption(op, 'numLayers', o.numLayers, 1, 1),
    bidirectional: boolOption(op, 'bidirectional', o.bidirectional, false),
    dropout: rangeOption(op, 'dropout', o.dropout, 0, 1, 0.5),
    paddingIdx: o.paddingIdx === null ? null : intOption(op, 'paddingIdx', o.paddingIdx, 0, 0, vocabSize - 1),
  };
}

/** The embedding of an encoder (init N(0, 1), PyTorch's, with the padding row zero). */
export function makeEmbedding(o: ParsedEncoderOptions): Embedding {
  return new Embedding({ numEmbeddings: o.vocabSize, embeddingDim: o.embeddingSize, paddingIdx: o.paddingIdx });
}

/** The recurrent stack of an encoder (dropout between stacked layers only). */
export function makeRecurrent(o: ParsedEncoderOptions): LSTM | GRU | RNN {
  const options = {
    inputSize: o.embeddingSize, hiddenSize: o.hiddenSize, numLayers: o.numLayers, bidirectional: o.bidirectional,
    dropout: o.numLayers > 1 ? o.dropout : 0,
  };
  return o.cell === 'lstm' ? new LSTM(options) : o.cell === 'gru' ? new GRU(options) : new RNN(options);
}

/** Checks that `ids` is an int32 tensor [T, B] (time-major) and returns T and B. */
export function checkIds(op: string, ids: unknown): [number, number] {
  if (!(ids instanceof Tensor) || ids.dtype !== 'int32' || ids.shape.length !== 2) {
    const got = ids instanceof Tensor ? `${ids.dtype} [${ids.shape.join(', ')}]` : describe(ids);
    throw fail('E_ARGUMENT', `${op}: ids must be an int32 tensor [T, B] (time-major), got ${got}`);
  }
  const [T, B] = ids.shape;
  if (T === 0 || B === 0) throw fail('E_SHAPE', `${op}: ids must have at least one step and one sequence, got [${T}, ${B}]`);
  return [T, B];
}

/**
 * Word dropout (Iyyer et al. 2015; Bowman et al. 2016's "word dropout" toward <unk>): every valid
 * step's id becomes `unkId` with probability p, drawn from the seeded RNG in time-major order, so
 * the model cannot lean on any one word. Padding steps are left alone.
 */
export function dropWords(ids: Tensor, lengths: Int32Array, p: number, unkId: number): Tensor {
  const [T, B] = ids.shape;
  const values = ids.toArray() as Int32Array;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) if (t < lengths[b] && defaultGenerator.nextUniform() < p) values[t * B + b] = unkId;
  }
  return tensor(values, [T, B], { dtype: 'int32' });
}
