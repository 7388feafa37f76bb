import { noGrad, tensor, where, type Tensor } from '@eddy/autograd';
import { checkOptions, defaultGenerator, drawsInitialValues, intOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';

export interface EmbeddingOptions {
  /** Size of the vocabulary, V. */
  numEmbeddings: number;
  /** Size of each embedding vector, D. */
  embeddingDim: number;
  /**
   * Index of the padding token, or null (default) for none. Negative values count from the end
   * (−1 is V − 1) and are stored normalised. Its row starts at zero and receives no gradient.
   */
  paddingIdx?: number | null;
}

/**
 * A lookup table (PyTorch's `nn.Embedding`): row i of the weight is the vector of token i,
 *
 *     y[n…, :] = W[ids[n…], :]
 *
 * Arguments: `numEmbeddings` (V), `embeddingDim` (D), `paddingIdx = null`.
 *
 * Input `ids`: int32 of any shape `[*]` with values in [0, V). Output: float32 `[*, D]`.
 *
 * Parameter: `weight` `[V, D]` from N(0, 1), the `paddingIdx` row zero. Repeated ids accumulate
 * their gradients; the padding row's gradient is always zero, so it stays as loaded.
 *
 * @example
 * const emb = new Embedding({ numEmbeddings: 65, embeddingDim: 32, paddingIdx: 0 });
 * const x = emb.forward(tensor([[1, 2], [0, 4]], undefined, { dtype: 'int32' })); // [2, 2, 32]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(options: EmbeddingOptions) {
    super();
    const op = 'Embedding';
    const o = checkOptions(op, options, ['numEmbeddings', 'embeddingDim', 'paddingIdx']);
    this.numEmbeddings = intOption(op, 'numEmbeddings', o.numEmbeddings, 1);
    this.embeddingDim = intOption(op, 'embeddingDim', o.embeddingDim, 1);
    const v = this.numEmbeddings;
    if (o.paddingIdx === undefined || o.paddingIdx === null) this.paddingIdx = null;
    else {
      const p = intOption(op, 'paddingIdx', o.paddingIdx, -v, undefined, v - 1);
      this.paddingIdx = p < 0 ? p + v : p;
    }
    const values = new Float32Array(v * this.embeddingDim);
    if (drawsInitialValues()) defaultGenerator.fillNormal(values);
    if (this.paddingIdx !== null) values.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    this.weight = this.registerParameter('weight', tensor(values, [v, this.embeddingDim]));
  }

  /** The rows of `weight` picked by int32 `ids` (`[*]` → `[*, D]`). */
  forward(ids: Tensor): Tensor {
    if (ids?.dtype !== 'int32') throw fail('E_ARGUMENT', `Embedding.forward: ids must be an int32 tensor, got ${ids?.dtype ?? describe(ids)}`);
    const rows = this.weight.index(ids);
    const pad = this.paddingIdx;
    if (pad === null) return rows;
    const flat = ids.toArray();
    if (!flat.includes(pad)) return rows;
    // The padding row must get no gradient: `where` routes the gradient of the padding positions
    // to a constant copy of that row instead of the weight, and the values stay W[pad] (as in
    // PyTorch, where a loaded non-zero padding row is still looked up as it is).
    const keep = tensor(Int32Array.from(flat, (id) => (id === pad ? 0 : 1)), [...ids.shape, 1], { dtype: 'int32' });
    const padRow = noGrad(() => this.weight.slice(0, pad, pad + 1).reshape([this.embeddingDim]));
    return where(keep, rows, padRow);
  }

  toConfig(): ModuleConfig {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx };
  }
}

Module.register('Embedding', (options) => new Embedding(options as unknown as EmbeddingOptions));
