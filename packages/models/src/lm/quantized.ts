import {
  add, concat, index, linearInt8, mul, quantizeInt8, sigmoid, split, stack, sub, tanh, zeros, type Int8Weight, type Tensor,
} from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { advanceIds, evaluateWindows, type LmState } from './inference.js';
import { LanguageModel, type LanguageModelOptions } from './language-model.js';
import type { LmWindowLike } from './window.js';

/** How a `QuantizedLanguageModel` stores the weights: 'int8', one float32 scale per row. */
export type Quantization = 'int8';

const QUANTIZATIONS: readonly Quantization[] = ['int8'];

/** One recurrent layer's int8 weights and its float32 biases (read from the source model). */
interface Int8Layer {
  wIh: Int8Weight;
  wHh: Int8Weight;
  bIh: Tensor | undefined;
  bHh: Tensor | undefined;
}

/**
 * A `LanguageModel` for inference with int8 weights (`new QuantizedLanguageModel(lm, 'int8')`): every recurrent layer's
 * W_ih and W_hh and the decoder's W are int8 with one scale per row, the activations are quantized
 * per step, and the products are exact integer dot products (`linearInt8`). The embedding table and
 * the biases stay float32 and are the source model's. Each step is the cell's equations written
 * with the int8 products (PyTorch's forms: LSTM i|f|g|o, GRU r|z|n with the reset gate applied
 * after the recurrent product, tanh RNN):
 *
 *     LSTM  [i f g o] = W_ih x + b_ih + W_hh h + b_hh,  c' = σ(f)⊙c + σ(i)⊙tanh(g),  h' = σ(o)⊙tanh(c')
 *     GRU   r = σ(·), z = σ(·), n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),  h' = n + z⊙(h − n)
 *     RNN   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
 *
 * It samples (`advance`) and evaluates (`evaluate`) as the float32 model does; it cannot be trained
 * (`windowLoss` and `parameters` throw E_UNSUPPORTED). `dispose()` frees the int8 weights. Weights of
 * the source changed after construction do not reach the int8 copy (its biases do): quantize again.
 *
 * NOTE: a constructor rather than a `LanguageModel.quantize` method, so that a bundle that never
 * quantizes leaves this class and the int8 kernels' wrappers out (LanguageModel is always kept: it
 * registers itself with `Module.register`); the page budget of test/src/bundlers.test.ts needs it.
 *
 * @example
 * const q = new QuantizedLanguageModel(lm, 'int8');
 * for (const id of generate({ prime, steps: 200, step: (id, s) => q.advance([id], s), initialState: null, sampler, rng })) …
 * q.dispose();
 */
export class QuantizedLanguageModel {
  readonly options: Readonly<Required<LanguageModelOptions>>;
  readonly quantization: Quantization;
  private readonly embedding: Tensor;
  private readonly layers: Int8Layer[];
  private readonly decoderWeight: Int8Weight;
  private readonly decoderBias: Tensor | undefined;

  /** The int8 copy of `model`'s weights; `model` must outlive it (its embedding and biases are read from it). */
  constructor(model: LanguageModel, quantization: Quantization) {
    const op = 'QuantizedLanguageModel';
    if (!(model instanceof LanguageModel)) throw fail('E_ARGUMENT', `${op}: model must be a LanguageModel, got ${describe(model)}`);
    if (!QUANTIZATIONS.includes(quantization)) {
      throw fail('E_ARGUMENT', `${op}: quantization must be one of ${QUANTIZATIONS.map((q) => JSON.stringify(q)).join(', ')}, got ${describe(quantization)}`);
    }
    this.options = model.options;
    this.quantization = quantization;
    this.embedding = model.encoder.weight;
    const p = Object.fromEntries(model.rnn.namedParameters());
    this.layers = Array.from({ length: model.options.numLayers }, (_, l) => ({
      wIh: quantizeInt8(p[`weight_ih_l${l}`]),
      wHh: quantizeInt8(p[`weight_hh_l${l}`]),
      bIh: p[`bias_ih_l${l}`],
      bHh: p[`bias_hh_l${l}`],
    }));
    this.decoderWeight = quantizeInt8(model.decoder.weight);
    this.decoderBias = model.decoder.bias ?? undefined;
  }

  get vocabSize(): number {
    return this.options.vocabSize;
  }

  /**
   * ids int32 [T, B] (time-major), state or null (zeros) → logits [T·B, V] and the state after the
   * last step, one step at a time. Records nothing on the tape.
   */
  forward(ids: Tensor, state: LmState | null = null): { logits: Tensor; state: LmState } {
    const [T, B] = ids.shape;
    const { cell, numLayers: L, hiddenSize: H } = this.options;
    let hs = state === null ? Array.from({ length: L }, () => zeros([B, H])) : split(state.h, 1, 0).map((t) => t.reshape([B, H]));
    let cs = cell !== 'lstm' ? [] : state === null || state.c === null ? Array.from({ length: L }, () => zeros([B, H])) : split(state.c, 1, 0).map((t) => t.reshape([B, H]));
    const steps = T === 1 ? [ids.reshape([B])] : split(ids.reshape([T * B]), B, 0);
    const logits: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      let x = index(this.embedding, steps[t]);
      const nextH: Tensor[] = [];
      const nextC: Tensor[] = [];
      for (let l = 0; l < L; l++) {
        const w = this.layers[l];
        const gx = linearInt8(x, w.wIh, w.bIh);
        const gh = linearInt8(hs[l], w.wHh, w.bHh);
        if (cell === 'lstm') {
          const [i, f, g, o] = split(add(gx, gh), H, 1);
          const c = add(mul(sigmoid(f), cs[l]), mul(sigmoid(i), tanh(g)));
          nextC.push(c);
          x = mul(sigmoid(o), tanh(c));
        } else if (cell === 'gru') {
          const [xr, xz, xn] = split(gx, H, 1);
          const [hr, hz, hn] = split(gh, H, 1);
          const n = tanh(add(xn, mul(sigmoid(add(xr, hr)), hn)));
          x = add(n, mul(sigmoid(add(xz, hz)), sub(hs[l], n)));
        } else {
          x = tanh(add(gx, gh));
        }
        nextH.push(x);
      }
      hs = nextH;
      cs = nextC;
      logits.push(linearInt8(x, this.decoderWeight, this.decoderBias));
    }
    return { logits: T === 1 ? logits[0] : concat(logits, 0), state: { h: stack(hs, 0), c: cell === 'lstm' ? stack(cs, 0) : null } };
  }

  /** As `LanguageModel.advance`: the logits after the last of `ids` (batch 1) and the new state; frees the state passed in. */
  advance(ids: ArrayLike<number>, state: LmState | null): { logits: Float32Array; state: LmState } {
    return advanceIds((x, s) => this.forward(x, s), this.vocabSize, ids, state);
  }

  /** As `LanguageModel.evaluate`: summed cross-entropy (nats) and tokens over `windows`, state carried. */
  evaluate(windows: Iterable<LmWindowLike>): { nats: number; tokens: number } {
    return evaluateWindows('QuantizedLanguageModel.evaluate', (ids, s) => this.forward(ids, s), this.vocabSize, windows);
  }

  /** Refused: an int8 model has no gradients. Train the float32 `LanguageModel` and quantize it again. */
  windowLoss(): never {
    throw this.refuseTraining('windowLoss');
  }

  /** Refused, so that an optimizer cannot be built over int8 weights. */
  parameters(): never {
    throw this.refuseTraining('parameters');
  }

  /** Frees the int8 weights (the embedding and biases belong to the source model). */
  dispose(): void {
    for (const l of this.layers) {
      l.wIh.dispose();
      l.wHh.dispose();
    }
    this.decoderWeight.dispose();
  }

  private refuseTraining(method: string): Error {
    return fail(
      'E_UNSUPPORTED',
      `QuantizedLanguageModel.${method}: an ${this.quantization} model is for sampling and evaluation only and cannot be trained; train the float32 LanguageModel and quantize it again`,
    );
  }
}
