import { crossEntropy, init, noGrad, scope, tensor, type Tensor } from '@eddy/autograd';
import { LmBatcher } from '@eddy/text';
import { Dropout, Embedding, GRU, Linear, LSTM, Module, RNN, type ModuleConfig } from '@eddy/models';

/** The recurrent cell of a language model. */
export type CellKind = 'lstm' | 'gru' | 'rnn';

export interface LanguageModelOptions {
  cell: CellKind;
  /** V: tokens in the vocabulary (specials included). */
  vocabSize: number;
  /** H: embedding width and hidden state width. */
  hiddenSize: number;
  /** L: stacked recurrent layers. */
  numLayers: number;
  /** Dropout on the embedding, between layers and before the readout, in training mode. */
  dropout: number;
}

/** The recurrent state carried between windows: h [L, B, H] (and c [L, B, H] for an LSTM); null = zeros. */
export interface LmState {
  h: Tensor;
  c: Tensor | null;
}

/** Frees a state's tensors (states are made outside scopes and carried by hand). */
export function disposeState(state: LmState | null): void {
  if (state === null) return;
  state.h.dispose();
  state.c?.dispose();
}

/**
 * A word/character language model, the shape of PyTorch's `word_language_model` example:
 *
 *     eₜ = Dropout(E[xₜ])                       encoder: Embedding(V, H)
 *     hₜ = Cell(eₜ, hₜ₋₁)                        rnn: LSTM | GRU | RNN(H, H, L layers)
 *     P(xₜ₊₁ | x≤ₜ) = softmax(W Dropout(hₜ) + b)  decoder: Linear(H, V)
 *
 * trained with cross-entropy over every step of a window. Parameter names are PyTorch's
 * (`encoder.weight`, `rnn.weight_ih_l0`, …, `decoder.weight`, `decoder.bias`), so the state dict
 * loads into that example's `RNNModel` with tie_weights off.
 *
 * `forward(x, state)`: x an int32 [T, B] tensor of ids (time-major), state as `LmState` or null
 * (zeros) → `{ logits: [T·B, V] (row t·B + b), state }`.
 */
export class LanguageModel extends Module {
  readonly options: LanguageModelOptions;
  readonly drop: Dropout;
  readonly encoder: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly decoder: Linear;

  constructor(options: LanguageModelOptions) {
    super();
    this.options = { ...options };
    const { cell, vocabSize: V, hiddenSize: H, numLayers: L, dropout } = options;
    this.drop = this.registerModule('drop', new Dropout({ p: dropout }));
    this.encoder = this.registerModule('encoder', new Embedding({ numEmbeddings: V, embeddingDim: H }));
    const rnnOptions = { inputSize: H, hiddenSize: H, numLayers: L, dropout: L > 1 ? dropout : 0 };
    this.rnn = this.registerModule('rnn', cell === 'lstm' ? new LSTM(rnnOptions) : cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions));
    this.decoder = this.registerModule('decoder', new Linear({ inFeatures: H, outFeatures: V }));
    // As the PyTorch example's init_weights: N(0, 1) embeddings and Kaiming readout make the first
    // losses far above ln V; small uniform weights and a zero bias start near it.
    init.uniform(this.encoder.weight, -0.1, 0.1);
    init.uniform(this.decoder.weight, -0.1, 0.1);
    if (this.decoder.bias) init.zeros(this.decoder.bias);
  }

  get vocabSize(): number {
    return this.options.vocabSize;
  }

  forward(x: Tensor, state: LmState | null): { logits: Tensor; state: LmState } {
    const [T, B] = x.shape;
    const init = (state === null ? null : { h: state.h, c: state.c }) as { h: Tensor; c: Tensor | null } | null;
    // Without dropout on the embedding the first layer reads the table itself (it then projects
    // the V table rows instead of the T·B tokens when that is less work); with it, E[x] is dropped.
    const out = this.drop.p > 0 && this.training
      ? this.rnn.forward(this.drop.forward(this.encoder.forward(x)), init)
      : this.rnn.forward(x, init, { embedding: this.encoder.weight });
    const y = this.drop.forward(out.output).reshape([T * B, this.options.hiddenSize]);
    const logits = this.decoder.forward(y);
    return { logits, state: { h: out.h, c: 'c' in out ? (out.c as Tensor) : null } };
  }

  toConfig(): ModuleConfig {
    return { type: 'EddyLanguageModel', ...this.options };
  }
}

Module.register('EddyLanguageModel', (o) => new LanguageModel(o as unknown as LanguageModelOptions));

/** Ids as an int32 [T, B] tensor. */
export function idsTensor(ids: Int32Array, steps: number, batch: number): Tensor {
  return tensor(ids, [steps, batch], { dtype: 'int32' });
}

/**
 * Summed cross-entropy (nats) of a model over `ids` read as `batch` contiguous streams in windows
 * of `seqLen` (text's `LmBatcher`, one epoch), state carried across windows, in eval mode without
 * gradients. Every id but the first of each stream is predicted once; ids past B·⌊N/B⌋ are not read.
 */
export function evaluateIds(model: LanguageModel, ids: Int32Array, batch: number, seqLen: number): { nats: number; tokens: number } {
  const wasTraining = model.training;
  model.eval();
  let nats = 0;
  let tokens = 0;
  let state: LmState | null = null;
  try {
    for (const w of new LmBatcher(ids, { batchSize: batch, seqLen }).epochWindows()) {
      const previous: LmState | null = state;
      const result: { loss: number; state: LmState } = noGrad(() =>
        scope(() => {
          const out = model.forward(idsTensor(w.inputs, w.steps, batch), previous);
          const loss = crossEntropy(out.logits, tensor(w.targets, [w.steps * batch], { dtype: 'int32' }), { reduction: 'sum' }).item();
          return { loss, state: out.state };
        }),
      );
      disposeState(previous);
      state = result.state;
      nats += result.loss;
      tokens += w.steps * batch;
    }
  } finally {
    disposeState(state);
    model.train(wasTraining);
  }
  return { nats, tokens };
}
