import { add, apply, init, matmul, noGrad, reshape, tanh, zeros, type Function, type Tensor } from '@eddy/autograd';
import { drawsInitialValues, intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import type { RecursiveNNOptions } from './recursive-nn.js';
import { TreeModel, treeOptions, type TreeModelOptions } from './tree-model.js';

export type RNTNOptions = RecursiveNNOptions;

// Row r of the output is x_r x_rᵀ flattened, [M, n·n]. One pass each way; as a batched matmul of
// [M, n, 1] by [M, 1, n] it would be M products of depth 1 and two reshaping copies.
const OuterProductsFn: Function<void, null> = {
  name: 'outerProducts',
  forward: (_ctx, [x]) => {
    const [m, n] = x.shape;
    const out = zeros([m, n * n]);
    const f = out.core.arena.f32;
    const px = x.ptr >>> 2, po = out.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      const xr = px + r * n, row = po + r * n * n;
      for (let i = 0; i < n; i++) {
        const xi = f[xr + i], at = row + i * n;
        for (let j = 0; j < n; j++) f[at + j] = xi * f[xr + j];
      }
    }
    return out;
  },
  // ∂/∂x_r of Σᵢⱼ Gᵢⱼ xᵢ xⱼ = (G + Gᵀ) x_r.
  backward: ({ inputs: [x] }, [g]) => {
    const [m, n] = x.shape;
    const dx = zeros([m, n]);
    const f = dx.core.arena.f32;
    const px = x.ptr >>> 2, pg = g!.ptr >>> 2, pd = dx.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      const xr = px + r * n, gr = pg + r * n * n, dr = pd + r * n;
      for (let i = 0; i < n; i++) {
        const xi = f[xr + i], at = gr + i * n;
        let acc = 0;
        for (let j = 0; j < n; j++) {
          const gij = f[at + j];
          acc += gij * f[xr + j];
          f[dr + j] += gij * xi;
        }
        f[dr + i] += acc;
      }
    }
    return [dx];
  },
};

/** x x ᵀ of every row of x [M, n], flattened: [M, n·n]. */
function outerProducts(x: Tensor): Tensor {
  return apply(OuterProductsFn, [x], undefined);
}

/**
 * The recursive neural tensor network of Socher et al. (2013), level-batched over a TreeBatch:
 *
 *     leaf:   h = tanh(x_w)
 *     inner:  p = tanh(xᵀ V^{[1:d]} x + W x + b),   x = [c₁; c₂] ∈ ℝ^{2d},
 *             (xᵀ V^{[1:d]} x)_k = Σᵢⱼ xᵢ xⱼ V[i, j, k]
 *     every node: y = softmax(W_s p + b_s)
 *
 * A level of M nodes computes the tensor term as one GEMM: the outer products x xᵀ [M, 2d·2d]
 * (one pass, `outerProducts`) times V viewed as [2d·2d, d].
 *
 * Parameters (PyTorch names) and their initial values, CoreNLP's (`SentimentModel`):
 * - `embedding.weight` [V, d]: N(0, 0.1²);
 * - `W.weight` [d, 2d]: [I I] + U(−1/(2√d), 1/(2√d)), so that a new node starts near tanh(c₁ + c₂);
 *   `W.bias` [d]: 0;
 * - `V` [2d, 2d, d]: U(−1/4d, 1/4d);
 * - `classifier.weight` [C, d]: U(−1/√d, 1/√d); `classifier.bias` [C]: U(0, 1).
 *
 * Options as RecursiveNN's.
 *
 * @example
 * const model = new RNTN({ vocabSize: vocab.size, hiddenSize: 25, numClasses: 5 });
 */
export class RNTN extends TreeModel {
  readonly W: Linear;
  readonly V: Tensor;

  constructor(options: RNTNOptions) {
    const o = treeOptions('RNTN', options, ['hiddenSize']);
    const d = intOption('RNTN', 'hiddenSize', o.hiddenSize, 1);
    super('RNTN', o as unknown as TreeModelOptions, d, d);
    this.W = this.registerModule('W', new Linear({ inFeatures: 2 * d, outFeatures: d }));
    const r = 1 / (4 * d);
    this.V = this.registerParameter('V', init.uniform(zeros([2 * d, 2 * d, d]), -r, r));
    this.addClassifier();
    noGrad(() => this.initAsCoreNLP());
  }

  /** CoreNLP's initial values for the word vectors, W and the classifier (V's is drawn above). */
  private initAsCoreNLP(): void {
    const d = this.hiddenSize;
    init.normal(this.embedding.weight, 0, 0.1);
    const w = this.W.weight;
    init.uniform(w, -1 / (2 * Math.sqrt(d)), 1 / (2 * Math.sqrt(d)));
    const f = w.core.arena.f32, at = w.ptr >>> 2;
    if (drawsInitialValues()) {
      for (let i = 0; i < d; i++) {
        f[at + i * 2 * d + i] += 1;
        f[at + i * 2 * d + d + i] += 1;
      }
    }
    init.zeros(this.W.bias!);
    init.uniform(this.classifier.weight, -1 / Math.sqrt(d), 1 / Math.sqrt(d));
    init.uniform(this.classifier.bias!, 0, 1);
  }

  leaf(x: Tensor): Tensor[] {
    return [tanh(x)];
  }

  /** One level: the tensor term as one GEMM on the outer products, plus W x + b, then tanh. */
  compose([x]: readonly Tensor[]): Tensor[] {
    const n = 2 * this.hiddenSize;
    const tensorTerm = matmul(outerProducts(x), reshape(this.V, [n * n, this.hiddenSize]));
    return [tanh(add(this.W.forward(x), tensorTerm))];
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig('EddyRNTN'), hiddenSize: this.hiddenSize };
  }
}

Module.register('EddyRNTN', (o) => new RNTN(o as unknown as RNTNOptions));
