import { crossEntropy, Generator, index, noGrad, argmax, scope, split, stack, tensor, type Tensor } from '@eddy/autograd';
import { boolOption, checkOptions, choiceOption, defaultGenerator, intOption, rangeOption } from '@eddy/autograd/internal';
import type { SamplingOptions } from '@eddy/text';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import { checkBatch, type Seq2SeqBatch } from './batch.js';
import { beamSearch } from './beam.js';
import { Bridge, type InitialState } from './bridge.js';
import { Seq2SeqDecoder, type AttentionKind, type Memory } from './decoder.js';
import { Seq2SeqEncoder } from './encoder.js';
import { greedySearch } from './greedy.js';
import { sampleSearch } from './sample.js';
import { Stepper, type SearchOptions, type Translation } from './search.js';

/** The options of a `Seq2Seq` model. */
export interface Seq2SeqOptions {
  /** Source tokens in the source vocabulary (specials included). */
  sourceVocabSize: number;
  /** V: target tokens in the target vocabulary (specials included). */
  targetVocabSize: number;
  /** The recurrent cell of the encoder and the decoder. Default 'lstm'. */
  cell?: 'lstm' | 'gru';
  /** H: the state width of the encoder (per direction) and the decoder. Default 256. */
  hiddenSize?: number;
  /** E: the width of both embeddings. Default hiddenSize. */
  embeddingSize?: number;
  /** L: stacked layers of the encoder and of the decoder. Default 1. */
  layers?: number;
  /** A bidirectional encoder (keys 2H wide; the bridge maps 2H → H). Default false. */
  bidirectional?: boolean;
  /** Dropout on the embeddings, between stacked layers and on h̃, in training mode. Default 0. */
  dropout?: number;
  /** The attention score, or 'none'. Default 'luong-general'. */
  attention?: AttentionKind;
  /** Luong's input feeding (h̃ₜ₋₁ joins the next input). Default true with attention; needs it. */
  inputFeeding?: boolean;
  /** Read each source's valid tokens last to first (Sutskever et al. 2014). Default false. */
  reverseSource?: boolean;
  /** C: the width of a conditioning vector given with every source, or 0. Default 0. */
  conditionSize?: number;
  /** 'init': the vector gives the decoder's initial h; 'input': it joins every step's input; 'both'. Default 'init'. */
  conditionAs?: 'init' | 'input' | 'both';
  /** Padding id (both sides). Default 0 (text's PAD). */
  padId?: number;
  /** The target's begin id. Default 2 (text's BOS). */
  bosId?: number;
  /** The target's end id. Default 3 (text's EOS). */
  eosId?: number;
}

/** The per-call options of `Seq2Seq.loss`. */
export interface Seq2SeqLossOptions {
  /**
   * The probability of feeding the reference token at each step; with 1 − ratio a row feeds the
   * model's own most probable token instead (scheduled sampling, Bengio et al. 2015), drawn per
   * row and step from `generator`. Default 1 (teacher forcing).
   */
  teacherForcing?: number;
  /** The generator of those draws. Default the shared one (`manualSeed`). */
  generator?: Generator;
}

/** The per-call options of `Seq2Seq.translate`. */
export interface TranslateOptions {
  /** K, hypotheses kept per source. Default 1 (greedy; equal to beam search with K = 1). */
  beam?: number;
  /** GNMT α of the length penalty ((5 + |Y|)/6)^α. Default 0. */
  lengthPenalty?: number;
  /** GNMT β of the coverage penalty β Σᵢ log min(Σₜ aₜᵢ, 1). Default 0. */
  coveragePenalty?: number;
  /** The most output tokens (EOS excluded). Without `maxLengthRatio` it alone sets the cap. */
  maxLength?: number;
  /** The cap is ⌈ratio · source length⌉ + 5 tokens (at most `maxLength` when both are given). Default 2. */
  maxLengthRatio?: number;
  /** Outputs returned per source, <= beam (samples drawn, with `sample`). Default 1. */
  nBest?: number;
  /** Sources decoded together (grouped by length; results come back in input order). Default 32. */
  batchSize?: number;
  /** Sample (text's temperature, top-k, top-p samplers) instead of searching. */
  sample?: SamplingOptions & { generator: Generator };
  /** [N·conditionSize]: the conditioning vector of each source, for a conditioned model. */
  conditions?: Float32Array;
}

export type { Translation } from './search.js';

type ParsedOptions = Required<Seq2SeqOptions>;

const OPTION_KEYS = [
  'sourceVocabSize', 'targetVocabSize', 'cell', 'hiddenSize', 'embeddingSize', 'layers', 'bidirectional', 'dropout', 'attention',
  'inputFeeding', 'reverseSource', 'conditionSize', 'conditionAs', 'padId', 'bosId', 'eosId',
] as const;
const TRANSLATE_KEYS = ['beam', 'lengthPenalty', 'coveragePenalty', 'maxLength', 'maxLengthRatio', 'nBest', 'batchSize', 'sample', 'conditions'] as const;
const ATTENTIONS: readonly AttentionKind[] = ['bahdanau', 'luong-dot', 'luong-general', 'luong-concat', 'none'];
/** The cap's constant beyond ⌈ratio · source length⌉, so that short sources may grow. */
const CAP_SLACK = 5;

function parseOptions(options: unknown): ParsedOptions {
  const op = 'Seq2Seq';
  if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { sourceVocabSize, targetVocabSize, … } are required`);
  const o = checkOptions(op, options, OPTION_KEYS);
  const sourceVocabSize = intOption(op, 'sourceVocabSize', o.sourceVocabSize, 1);
  const targetVocabSize = intOption(op, 'targetVocabSize', o.targetVocabSize, 1);
  const hiddenSize = intOption(op, 'hiddenSize', o.hiddenSize, 1, 256);
  const attention = choiceOption(op, 'attention', o.attention, ATTENTIONS, 'luong-general');
  const inputFeeding = boolOption(op, 'inputFeeding', o.inputFeeding, attention !== 'none');
  if (inputFeeding && attention === 'none') throw fail('E_ARGUMENT', `${op}: inputFeeding feeds the attentional vector and needs attention, got attention 'none'`);
  const bidirectional = boolOption(op, 'bidirectional', o.bidirectional, false);
  if (bidirectional && attention === 'luong-dot') {
    throw fail('E_ARGUMENT', `${op}: attention 'luong-dot' scores the decoder state (H) against the keys, which are 2H wide with bidirectional; use 'luong-general', 'luong-concat' or 'bahdanau'`);
  }
  const conditionSize = intOption(op, 'conditionSize', o.conditionSize, 0, 0);
  if (conditionSize === 0 && o.conditionAs !== undefined) throw fail('E_ARGUMENT', `${op}: conditionAs needs conditionSize > 0, got conditionSize 0`);
  const ids = Math.min(sourceVocabSize, targetVocabSize) - 1;
  return {
    sourceVocabSize,
    targetVocabSize,
    cell: choiceOption(op, 'cell', o.cell, ['lstm', 'gru'], 'lstm'),
    hiddenSize,
    embeddingSize: intOption(op, 'embeddingSize', o.embeddingSize, 1, hiddenSize),
    layers: intOption(op, 'layers', o.layers, 1, 1),
    bidirectional,
    dropout: rangeOption(op, 'dropout', o.dropout, 0, 1, 0),
    attention,
    inputFeeding,
    reverseSource: boolOption(op, 'reverseSource', o.reverseSource, false),
    conditionSize,
    conditionAs: choiceOption(op, 'conditionAs', o.conditionAs, ['init', 'input', 'both'], 'init'),
    padId: intOption(op, 'padId', o.padId, 0, 0, ids),
    bosId: intOption(op, 'bosId', o.bosId, 0, 2, targetVocabSize - 1),
    eosId: intOption(op, 'eosId', o.eosId, 0, 3, targetVocabSize - 1),
  };
}

/**
 * An encoder–decoder with attention (Sutskever et al. 2014; Bahdanau et al. 2015; Luong et al.
 * 2015), as OpenNMT-py's RNN models: for a source x and a target y₁ … yₙ,
 *
 *     k, (hₑ, cₑ) = encoder(x)                    embedding + LSTM/GRU, uni/bi, L layers, packed
 *     (h₀, c₀)    = bridge(hₑ, cₑ)  or  tanh(W_v v + b_v) with a conditioning vector v
 *     h̃ₜ          = decoder(yₜ₋₁, h̃ₜ₋₁, k)        see `Seq2SeqDecoder` (attention, input feeding)
 *     loss        = −(1/N) Σ_b Σ_{t ≤ n_b+1} log softmax(W_o h̃ₜ + b_o)[yₜ]   (y₀ = BOS, y_{n+1} = EOS)
 *
 * over the N valid target tokens of the batch (padding contributes nothing). Padding never changes
 * a result: the encoder stops at each source's length, the attention gives padding exactly 0
 * weight, and rows never mix, so a padded batch gives each pair the loss and the translation it
 * gets alone.
 *
 * Parameters (PyTorch/OpenNMT names): `encoder.embedding.weight`, `encoder.rnn.weight_ih_l0` …
 * (`_reverse`), `bridge.h_l{l}.*` and `bridge.c_l{l}.*` (bidirectional), `bridge.condition.*`
 * (conditionAs 'init'/'both'), `decoder.embedding.weight`, `decoder.cells.{l}.weight_ih` …,
 * `decoder.attention.*` (BahdanauAttention's `Wa`, `Ua`, `Va`; LuongAttention's `attn`, `v`),
 * `decoder.combine.weight` (W_c), `decoder.output.weight` and `.bias`.
 *
 * @example
 * const model = new Seq2Seq({ sourceVocabSize: src.vocab.size, targetVocabSize: tgt.vocab.size, hiddenSize: 128 });
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * for (const batch of parallelBatches(pairs, { batchSize: 32, shuffle: true, seed: epoch })) {
 *   scope(() => {
 *     const { loss } = model.loss(batch);
 *     opt.zeroGrad(); loss.backward(); opt.step();
 *   });
 * }
 * const [[best]] = model.translate([src.encode('je suis là')], { beam: 5, lengthPenalty: 0.6 });
 */
export class Seq2Seq extends Module {
  readonly options: ParsedOptions;
  readonly encoder: Seq2SeqEncoder;
  readonly bridge: Bridge;
  readonly decoder: Seq2SeqDecoder;

  constructor(options: Seq2SeqOptions) {
    super();
    const o = (this.options = parseOptions(options));
    const conditioned = o.conditionSize > 0;
    this.encoder = this.registerModule('encoder', new Seq2SeqEncoder({
      vocabSize: o.sourceVocabSize, embeddingSize: o.embeddingSize, hiddenSize: o.hiddenSize, cell: o.cell, numLayers: o.layers,
      bidirectional: o.bidirectional, dropout: o.dropout, paddingIdx: o.padId,
    }));
    this.bridge = this.registerModule('bridge', new Bridge({
      hiddenSize: o.hiddenSize, layers: o.layers, bidirectional: o.bidirectional, lstm: o.cell === 'lstm',
      conditionSize: o.conditionSize, conditionInit: conditioned && o.conditionAs !== 'input',
    }));
    this.decoder = this.registerModule('decoder', new Seq2SeqDecoder({
      vocabSize: o.targetVocabSize, embeddingSize: o.embeddingSize, hiddenSize: o.hiddenSize, layers: o.layers, cell: o.cell,
      dropout: o.dropout, attention: o.attention, inputFeeding: o.inputFeeding, keySize: (o.bidirectional ? 2 : 1) * o.hiddenSize,
      conditionInput: conditioned && o.conditionAs !== 'init' ? o.conditionSize : 0, padId: o.padId,
    }));
  }

  /**
   * Encodes B sources (time-major ids [S·B], lengths [B]) and their conditions [B·C]: the memory
   * every decoder step reads (keys projected once here) and the decoder's initial state.
   */
  private encode(source: Int32Array, lengths: Int32Array, S: number, B: number, condition: Float32Array | undefined): { memory: Memory; initial: InitialState } {
    const encoded = this.encoder.forward(source, lengths, S, B, this.options.reverseSource);
    const v = condition === undefined ? null : tensor(condition, [B, this.options.conditionSize]);
    const initial = this.bridge.forward(encoded, v);
    const attention = this.decoder.attention;
    const memory: Memory = {
      attention: attention === null ? null : attention.prepare(encoded.keys, { lengths, paddingIsZero: true }),
      condition: this.options.conditionAs === 'init' ? null : v,
    };
    return { memory, initial };
  }

  /**
   * The mean cross-entropy over the batch's valid target tokens (predicting y₁ … yₙ EOS from
   * BOS y₁ … yₙ), padding ignored, and how many tokens that mean is over.
   */
  loss(batch: Seq2SeqBatch, options: Seq2SeqLossOptions = {}): { loss: Tensor; tokens: number } {
    const op = 'Seq2Seq.loss';
    const o = checkOptions(op, options, ['teacherForcing', 'generator']);
    const ratio = o.teacherForcing === undefined ? 1 : o.teacherForcing;
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) throw fail('E_ARGUMENT', `${op}: teacherForcing must be a number in [0, 1], got ${describe(ratio)}`);
    if (o.generator !== undefined && !(o.generator instanceof Generator)) throw fail('E_ARGUMENT', `${op}: generator must be a Generator, got ${describe(o.generator)}`);
    const generator = (o.generator as Generator | undefined) ?? defaultGenerator;
    checkBatch(op, batch, this.options);
    const { batchSize: B, sourceSteps: S, targetSteps: T, target, targetLengths } = batch;
    const { memory, initial } = this.encode(batch.source, batch.sourceLengths, S, B, batch.condition);
    const steps = T - 1;
    // The decoder rows t·B + b (in that order) that predict a token, and the token each predicts:
    // only they reach the output layer and the loss.
    const rowsAt: number[] = [];
    const labels: number[] = [];
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < B; b++) {
        if (t + 1 >= targetLengths[b]) continue;
        rowsAt.push(t * B + b);
        labels.push(target[(t + 1) * B + b]);
      }
    }
    const tokens = labels.length;
    const inputs = target.subarray(0, steps * B);
    // Teacher forcing embeds every input at once; scheduled sampling must wait for each step's output.
    const embedded = ratio === 1 ? split(this.decoder.embedSequence(inputs, steps, B, targetLengths.map((n) => n - 1)), 1, 0) : null;
    let state = this.decoder.start(initial);
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      let x: Tensor;
      if (embedded !== null) {
        x = embedded[t].reshape([B, -1]);
      } else {
        const ids = inputs.slice(t * B, (t + 1) * B);
        if (t > 0) {
          const own = Array.from({ length: B }, () => generator.nextUniform() >= ratio);
          if (own.includes(true)) {
            const predicted = noGrad(() => argmax(this.decoder.logits(outputs[t - 1]), 1).toArray());
            own.forEach((use, b) => {
              if (use) ids[b] = predicted[b];
            });
          }
        }
        x = this.decoder.embed(tensor(ids, [B], { dtype: 'int32' }));
      }
      const step = this.decoder.step(x, state, memory);
      state = step.state;
      outputs.push(step.attentional);
    }
    // The output layer and the loss run once for all steps, on the valid rows only: padding rows
    // would add nothing to the loss and its gradient but a V-wide product each (most of the
    // training time with a word vocabulary).
    const attentional = stack(outputs, 0).reshape([steps * B, -1]);
    const rows = tokens === steps * B ? attentional : index(attentional, tensor(Int32Array.from(rowsAt), [tokens], { dtype: 'int32' }));
    const loss = crossEntropy(this.decoder.logits(rows), tensor(Int32Array.from(labels), [tokens], { dtype: 'int32' }));
    return { loss, tokens };
  }

  /**
   * Translates `sources` (ids without BOS and EOS, each at least one token): one list of outputs
   * per source, best first, in input order. Greedy by default; `beam` K > 1 runs batched beam
   * search, `sample` draws. Runs in eval mode without gradients (the mode is restored after).
   */
  translate(sources: readonly Int32Array[], options: TranslateOptions = {}): Translation[][] {
    const op = 'Seq2Seq.translate';
    const o = checkOptions(op, options, TRANSLATE_KEYS);
    const { sourceVocabSize, conditionSize: C } = this.options;
    if (!Array.isArray(sources)) throw fail('E_ARGUMENT', `${op}: sources must be an array of Int32Array, got ${describe(sources)}`);
    sources.forEach((s, i) => {
      if (!(s instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: sources[${i}] must be an Int32Array of ids, got ${describe(s)}`);
      if (s.length === 0) throw fail('E_ARGUMENT', `${op}: sources[${i}] is empty; a source needs at least one token`);
      s.forEach((id, t) => {
        if (id < 0 || id >= sourceVocabSize) throw fail('E_ARGUMENT', `${op}: sources[${i}][${t}] must be an id in [0, ${sourceVocabSize}), got ${id}`);
      });
    });
    const sample = o.sample === undefined ? null : checkSample(op, o.sample);
    const beam = intOption(op, 'beam', o.beam, 1, 1);
    if (sample !== null && beam !== 1) throw fail('E_ARGUMENT', `${op}: sample draws instead of searching and takes no beam, got beam ${beam}`);
    const nBest = intOption(op, 'nBest', o.nBest, 1, 1, sample === null ? beam : undefined);
    const batchSize = intOption(op, 'batchSize', o.batchSize, 1, 32);
    const lengthPenalty = rangeOption(op, 'lengthPenalty', o.lengthPenalty, 0, Infinity, 0);
    const coveragePenalty = rangeOption(op, 'coveragePenalty', o.coveragePenalty, 0, Infinity, 0);
    const maxLength = o.maxLength === undefined ? null : intOption(op, 'maxLength', o.maxLength, 1);
    const ratio = o.maxLengthRatio === undefined ? (maxLength === null ? 2 : null) : o.maxLengthRatio;
    if (ratio !== null && (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio))) {
      throw fail('E_ARGUMENT', `${op}: maxLengthRatio must be a finite number > 0, got ${describe(ratio)}`);
    }
    const conditions = o.conditions as Float32Array | undefined;
    if (C > 0 && (!(conditions instanceof Float32Array) || conditions.length !== sources.length * C)) {
      throw fail('E_ARGUMENT', `${op}: conditions must be a Float32Array of N·conditionSize = ${sources.length}·${C} values (the model is conditioned), got ${conditions instanceof Float32Array ? `length ${conditions.length}` : describe(conditions)}`);
    }
    if (C === 0 && conditions !== undefined) throw fail('E_ARGUMENT', `${op}: conditions are given but the model has conditionSize 0`);
    const cap = (n: number): number => Math.min(maxLength ?? Infinity, ratio === null ? Infinity : Math.ceil(ratio * n) + CAP_SLACK);

    const wasTraining = this.training;
    this.eval();
    try {
      // Sources of similar lengths decode together (less padding, fewer steps for finished rows);
      // padding never changes a result, so only the speed depends on the grouping.
      const order = Array.from(sources, (_, i) => i).sort((a, b) => sources[b].length - sources[a].length || a - b);
      const results: Translation[][] = new Array(sources.length);
      const search = (stepper: Stepper, B: number, S: number, so: SearchOptions): Translation[][] => {
        const V = this.options.targetVocabSize;
        if (sample !== null) return sampleSearch(stepper, B, nBest, V, S, so, sample.options, sample.generator);
        return beam === 1 ? greedySearch(stepper, B, V, S, so) : beamSearch(stepper, B, beam, nBest, V, S, so);
      };
      // Sampling draws n outputs from n rows per source; beam search starts from one row per source
      // and widens to K itself at its first step.
      const rows = sample !== null ? nBest : 1;
      for (let first = 0; first < order.length; first += batchSize) {
        const ids = order.slice(first, first + batchSize);
        const condition = conditions === undefined ? undefined : Float32Array.from(ids.flatMap((i) => Array.from(conditions.subarray(i * C, (i + 1) * C))));
        const out = noGrad(() => scope(() => this.decode(ids.map((i) => sources[i]), condition, rows, { lengthPenalty, coveragePenalty, cap }, search)));
        ids.forEach((i, j) => (results[i] = out[j]));
      }
      return results;
    } finally {
      this.train(wasTraining);
    }
  }

  /** Encodes a chunk of sources, gives each `rows` decoder rows, and runs `search` over them. */
  private decode(
    chunk: readonly Int32Array[],
    condition: Float32Array | undefined,
    rows: number,
    penalties: { lengthPenalty: number; coveragePenalty: number; cap: (n: number) => number },
    search: (stepper: Stepper, B: number, S: number, o: SearchOptions) => Translation[][],
  ): Translation[][] {
    const B = chunk.length;
    const lengths = Int32Array.from(chunk, (s) => s.length);
    const S = Math.max(...lengths);
    const source = new Int32Array(S * B).fill(this.options.padId);
    chunk.forEach((s, b) => s.forEach((id, t) => (source[t * B + b] = id)));
    let { memory, initial } = this.encode(source, lengths, S, B, condition);
    if (rows > 1) ({ memory, initial } = this.repeatRows(memory, initial, B, rows));
    const stepper = new Stepper(this.decoder, memory, this.decoder.start(initial));
    return search(stepper, B, S, {
      bosId: this.options.bosId,
      eosId: this.options.eosId,
      lengthPenalty: penalties.lengthPenalty,
      coveragePenalty: penalties.coveragePenalty,
      caps: Int32Array.from(lengths, (n) => penalties.cap(n)),
      sourceLengths: lengths,
      reversed: this.options.reverseSource,
    });
  }

  /**
   * Gives each of B sources `n` consecutive rows (b·n … b·n + n − 1): the prepared keys (projected
   * once per source, copied here, never re-projected), the condition and the initial state, each
   * gathered once before the search.
   */
  private repeatRows(memory: Memory, initial: InitialState, B: number, n: number): { memory: Memory; initial: InitialState } {
    const at = tensor(Int32Array.from({ length: B * n }, (_, r) => Math.floor(r / n)), [B * n], { dtype: 'int32' });
    const rows = (t: Tensor): Tensor => index(t, at);
    return {
      memory: {
        attention: memory.attention === null ? null : this.decoder.attention!.selectRows(memory.attention, at),
        condition: memory.condition === null ? null : rows(memory.condition),
      },
      initial: { h: initial.h.map(rows), c: initial.c === null ? null : initial.c.map(rows) },
    };
  }

  toConfig(): ModuleConfig {
    // conditionAs exists only with a condition (the constructor refuses it alone).
    const { conditionAs, ...rest } = this.options;
    return { type: 'EddySeq2Seq', ...rest, ...(rest.conditionSize > 0 ? { conditionAs } : {}) };
  }
}

Module.register('EddySeq2Seq', (o) => new Seq2Seq(o as unknown as Seq2SeqOptions));

/** `sample` checked: the sampler's options (text checks their values) and the generator. */
function checkSample(op: string, sample: unknown): { options: SamplingOptions; generator: Generator } {
  const o = checkOptions(`${op}: sample`, sample, ['temperature', 'topK', 'topP', 'generator']);
  if (!(o.generator instanceof Generator)) throw fail('E_ARGUMENT', `${op}: sample.generator must be a Generator (sampling is seeded), got ${describe(o.generator)}`);
  const { generator, ...options } = o;
  return { options: options as SamplingOptions, generator };
}

