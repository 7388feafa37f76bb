import {
  crossEntropy, gruCell, index, init, lstmCell, noGrad, rnnCell, scope, split, stack, Tensor, tensor, type RecurrentWeights,
} from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { boolOption, checkOptions, choiceOption, intOption, rangeOption } from '@eddy/autograd/internal';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { advanceIds, disposeState, evaluateWindows, type LmState } from './inference.js';
import { checkWindow, type LmWindowLike } from './window.js';

/** The recurrent cell of a language model. */
export type CellKind = 'lstm' | 'gru' | 'rnn';

export interface LanguageModelOptions {
  /** V: tokens in the vocabulary (specials included). */
  vocabSize: number;
  /** H: embedding width and hidden state width. */
  hiddenSize: number;
  /** The recurrent cell. Default 'lstm'. */
  cell?: CellKind;
  /** L: stacked recurrent layers. Default 1. */
  numLayers?: number;
  /** Dropout on the embedding, between layers and before the readout, in training mode. Default 0. */
  dropout?: number;
  /** E: the embedding width, the first layer's input size. Default H. */
  embeddingSize?: number;
  /**
   * One-hot input (char-rnn): the encoder is the fixed V×V identity (E = V, no gradient), so the
   * first layer's x·W_ihᵀ is a column of W_ih per token. Default false.
   */
  oneHot?: boolean;
}

export { disposeState, type LmState } from './inference.js';

const OPTION_KEYS = ['vocabSize', 'hiddenSize', 'cell', 'numLayers', 'dropout', 'embeddingSize', 'oneHot'] as const;

/**
 * A word or character language model, the shape of PyTorch's `word_language_model` example:
 *
 *     eₜ = Dropout(E[xₜ])                       encoder: Embedding(V, H)
 *     hₜ = Cell(eₜ, hₜ₋₁)                        rnn: LSTM | GRU | RNN(H, H, L layers)
 *     P(xₜ₊₁ | x≤ₜ) = softmax(W Dropout(hₜ) + b)  decoder: Linear(H, V)
 *
 * trained with the cross-entropy of every step of a window (`windowLoss`, truncated BPTT with the
 * state carried between windows). Parameter names are PyTorch's (`encoder.weight`,
 * `rnn.weight_ih_l0`, …, `decoder.weight`, `decoder.bias`), so the state dict loads into that
 * example's `RNNModel` with tie_weights off. Without dropout on the embedding, the first layer reads
 * the table itself, which projects the V table rows instead of the T·B tokens when that is less
 * work (models/src/recurrent/token-input.ts). For sampling with int8 weights,
 * `new QuantizedLanguageModel(lm, 'int8')`.
 *
 * @example
 * const lm = new LanguageModel({ vocabSize: tok.vocab.size, hiddenSize: 128, numLayers: 2 });
 * const opt = new optim.Adam(lm.parameters(), { lr: 2e-3 });
 * let state = null;
 * for (const w of new LmBatcher(ids, { batchSize: 32, seqLen: 64 }).epochWindows()) {
 *   state = scope(() => { const r = lm.windowLoss(w, state); opt.zeroGrad(); r.loss.backward(); opt.step(); return keepState(r.state); });
 * }
 */
export class LanguageModel extends Module {
  readonly options: Required<LanguageModelOptions>;
  readonly drop: Dropout;
  readonly encoder: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly decoder: Linear;

  constructor(options: LanguageModelOptions) {
    super();
    const op = 'LanguageModel';
    const o = checkOptions(op, options, OPTION_KEYS);
    this.options = {
      vocabSize: intOption(op, 'vocabSize', o.vocabSize, 1),
      hiddenSize: intOption(op, 'hiddenSize', o.hiddenSize, 1),
      cell: choiceOption(op, 'cell', o.cell, ['lstm', 'gru', 'rnn'], 'lstm'),
      numLayers: intOption(op, 'numLayers', o.numLayers, 1, 1),
      dropout: rangeOption(op, 'dropout', o.dropout, 0, 1, 0),
      oneHot: boolOption(op, 'oneHot', o.oneHot, false),
      embeddingSize: 0,
    };
    const { cell, vocabSize: V, hiddenSize: H, numLayers: L, dropout, oneHot } = this.options;
    if (oneHot && o.embeddingSize !== undefined && o.embeddingSize !== V) {
      throw fail('E_ARGUMENT', `${op}: with oneHot the embedding size is vocabSize = ${V}, got embeddingSize ${describe(o.embeddingSize)}`);
    }
    const E = (this.options.embeddingSize = oneHot ? V : intOption(op, 'embeddingSize', o.embeddingSize, 1, H));
    this.drop = this.registerModule('drop', new Dropout({ p: dropout }));
    this.encoder = this.registerModule('encoder', new Embedding({ numEmbeddings: V, embeddingDim: E }));
    const rnnOptions = { inputSize: E, hiddenSize: H, numLayers: L, dropout: L > 1 ? dropout : 0 };
    this.rnn = this.registerModule('rnn', cell === 'lstm' ? new LSTM(rnnOptions) : cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions));
    this.decoder = this.registerModule('decoder', new Linear({ inFeatures: H, outFeatures: V }));
    // As the PyTorch example's init_weights: N(0, 1) embeddings and Kaiming readout make the first
    // losses far above ln V; small uniform weights and a zero bias start near it.
    if (oneHot) {
      init.eye(this.encoder.weight);
      this.encoder.weight.requiresGrad = false;
    } else {
      init.uniform(this.encoder.weight, -0.1, 0.1);
    }
    init.uniform(this.decoder.weight, -0.1, 0.1);
    if (this.decoder.bias) init.zeros(this.decoder.bias);
  }

  get vocabSize(): number {
    return this.options.vocabSize;
  }

  /**
   * ids: int32 [T, B] (time-major), state as `LmState` or null (zeros) → logits [T·B, V] (row
   * t·B + b) and the state after the last step.
   */
  forward(ids: Tensor, state: LmState | null = null): { logits: Tensor; state: LmState } {
    const [T, B] = ids.shape;
    const init = state === null ? null : { h: state.h, c: state.c };
    const out = this.drop.p > 0 && this.training
      ? this.rnn.forward(this.drop.forward(this.encoder.forward(ids)), init)
      : this.rnn.forward(ids, init, { embedding: this.encoder.weight });
    const y = this.drop.forward(out.output).reshape([T * B, this.options.hiddenSize]);
    return { logits: this.decoder.forward(y), state: { h: out.h, c: 'c' in out ? (out.c as Tensor) : null } };
  }

  /**
   * The loss of one truncated-BPTT window (text's `LmBatcher` windows): steps [0, d) run without
   * gradients from `state`, the state is detached, steps [d, T) run with gradients, and the loss is
   * the mean cross-entropy of their targets. Returns the loss (call `backward()` on it inside the
   * same `scope`) and the state after the window, to carry into the next one (`keep` it).
   */
  windowLoss(w: LmWindowLike, state: LmState | null): { loss: Tensor; state: LmState } {
    const { steps: T, batchSize: B, detachAt: d } = checkWindow('LanguageModel.windowLoss', w, this.vocabSize);
    let s = state;
    if (d > 0) s = noGrad(() => this.forward(tensor(w.inputs.subarray(0, d * B), [d, B], { dtype: 'int32' }), s).state);
    const out = this.forward(tensor(w.inputs.subarray(d * B, T * B), [T - d, B], { dtype: 'int32' }), s);
    const loss = crossEntropy(out.logits, tensor(w.targets.subarray(d * B, T * B), [(T - d) * B], { dtype: 'int32' }));
    return { loss, state: out.state };
  }

  /**
   * Summed cross-entropy (nats) and the number of predicted tokens over `windows` (e.g.
   * `new LmBatcher(ids, { batchSize, seqLen }).epochWindows()`), the state carried across them,
   * in eval mode without gradients; the training mode is restored after.
   */
  evaluate(windows: Iterable<LmWindowLike>): { nats: number; tokens: number } {
    const wasTraining = this.training;
    this.eval();
    try {
      return evaluateWindows('LanguageModel.evaluate', (ids, state) => this.forward(ids, state), this.vocabSize, windows);
    } finally {
      this.train(wasTraining);
    }
  }

  /**
   * Generation: runs `ids` (one stream, batch 1) from `state` without gradients and returns the
   * logits after the last id and the new state. The state passed in is freed, so feeding each state
   * back once (text's `generate`) keeps memory flat; beam search, which branches, must copy it.
   */
  advance(ids: ArrayLike<number>, state: LmState | null): { logits: Float32Array; state: LmState } {
    return advanceIds((x, s) => this.forward(x, s), this.vocabSize, ids, state, (id, s) => this.step(id, s));
  }


  /**
   * One token at batch 1 on the fused one-step cells (`lstmCell`, `gruCell`, `rnnCell`): the same
   * function as `forward` with T = 1, without the whole-sequence machinery around it, so sampling a
   * character costs a few kernel calls per layer.
   */
  private step(id: number, state: LmState | null): { logits: Tensor; state: LmState } {
    const { cell, numLayers: L, hiddenSize: H } = this.options;
    const weights = (this.layerWeights ??= this.collectLayerWeights());
    const hIn = state === null ? null : split(state.h, 1, 0).map((t) => t.reshape([1, H]));
    const cIn = state === null || state.c === null ? null : split(state.c, 1, 0).map((t) => t.reshape([1, H]));
    let x = index(this.encoder.weight, tensor(Int32Array.of(id), [1], { dtype: 'int32' }));
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const w = weights[l];
      if (cell === 'lstm') {
        const s = lstmCell(x, hIn === null ? null : { h: hIn[l], c: cIn![l] }, w);
        cs.push(s.c);
        x = s.h;
      } else {
        x = cell === 'gru' ? gruCell(x, hIn?.[l], w) : rnnCell(x, hIn?.[l], w);
      }
      hs.push(x);
    }
    return { logits: this.decoder.forward(x), state: { h: stack(hs, 0), c: cell === 'lstm' ? stack(cs, 0) : null } };
  }

  /** The recurrent weights by layer (the same tensors the module owns; loading a state dict copies into them). */
  private layerWeights: RecurrentWeights[] | null = null;

  private collectLayerWeights(): RecurrentWeights[] {
    const p = Object.fromEntries(this.rnn.namedParameters());
    return Array.from({ length: this.options.numLayers }, (_, l) => ({
      wIh: p[`weight_ih_l${l}`], wHh: p[`weight_hh_l${l}`], bIh: p[`bias_ih_l${l}`], bHh: p[`bias_hh_l${l}`],
    }));
  }

  /**
   * A carried state as named tensors for a checkpoint: `h` [L, B, H] and, for an LSTM, `c`
   * (copies; the caller disposes them). `null` (zeros) gives an empty dict.
   */
  stateToDict(state: LmState | null): Record<string, Tensor> {
    if (state === null) return {};
    const copy = (t: Tensor): Tensor => tensor(t.toFloat32Array(), t.shape);
    return state.c === null ? { h: copy(state.h) } : { h: copy(state.h), c: copy(state.c) };
  }

  /**
   * The carried state of batch B from `stateToDict`'s output (an empty dict: null, zeros). Checks
   * names and shapes (E_STATE_DICT), so a state from another model or batch size is refused.
   */
  stateFromDict(dict: Record<string, Tensor | Float32Array>, batch: number): LmState | null {
    const op = 'LanguageModel.stateFromDict';
    const names = Object.keys(dict);
    if (names.length === 0) return null;
    const { numLayers: L, hiddenSize: H, cell } = this.options;
    const expected = cell === 'lstm' ? ['c', 'h'] : ['h'];
    if (names.sort().join() !== expected.join()) {
      throw fail('E_STATE_DICT', `${op}: a ${cell.toUpperCase()} state has ${expected.join(' and ')}, got ${describe(names)}`);
    }
    const shape = [L, batch, H];
    const read = (name: string): Tensor => {
      const v = dict[name];
      const data = v instanceof Tensor ? v.toFloat32Array() : v;
      if (!(data instanceof Float32Array) || data.length !== L * batch * H) {
        throw fail('E_STATE_DICT', `${op}: ${name} must hold [numLayers, batch, hiddenSize] = [${shape.join(', ')}] float32 values, got ${describe(v)}`);
      }
      return tensor(data, shape);
    };
    return { h: read('h'), c: cell === 'lstm' ? read('c') : null };
  }

  toConfig(): ModuleConfig {
    return { type: 'EddyLanguageModel', ...this.options };
  }
}

// Checkpoints of format version 1 name this type; keep the name.
Module.register('EddyLanguageModel', (o) => new LanguageModel(o as unknown as LanguageModelOptions));
