import { add, init, matmul, reshape, tanh, zeros, type Tensor } from '@eddy/autograd';
import { intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import type { RecursiveNNOptions } from './recursive-nn.js';
import { TreeModel, treeOptions, type TreeModelOptions } from './tree-model.js';

export type RNTNOptions = RecursiveNNOptions;

/**
 * The recursive neural tensor network of Socher et al. (2013), level-batched over a TreeBatch:
 *
 *     leaf:   h = tanh(x_w)
 *     inner:  p = tanh(xᵀ V^{[1:d]} x + W x + b),   x = [c₁; c₂] ∈ ℝ^{2d},
 *             (xᵀ V^{[1:d]} x)_k = Σᵢⱼ xᵢ xⱼ V[i, j, k]
 *     every node: y = softmax(W_s p + b_s)
 *
 * A level of M nodes computes the tensor term as one GEMM: the outer products x xᵀ [M, 2d·2d]
 * (a batched matmul) times V viewed as [2d·2d, d].
 *
 * Parameters (PyTorch names): `embedding.weight` [V, d], `W.weight` [d, 2d], `W.bias` [d],
 * `V` [2d, 2d, d] (drawn from U(−1/4d, 1/4d), as CoreNLP), `classifier.weight` [C, d],
 * `classifier.bias` [C]. Options as RecursiveNN's.
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
  }

  leaf(x: Tensor): Tensor[] {
    return [tanh(x)];
  }

  /** One level: the tensor term as one GEMM on the outer products, plus W x + b, then tanh. */
  compose([x]: readonly Tensor[]): Tensor[] {
    const m = x.shape[0], n = 2 * this.hiddenSize;
    const outer = matmul(reshape(x, [m, n, 1]), reshape(x, [m, 1, n]));
    const tensorTerm = matmul(reshape(outer, [m, n * n]), reshape(this.V, [n * n, this.hiddenSize]));
    return [tanh(add(this.W.forward(x), tensorTerm))];
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig('EddyRNTN'), hiddenSize: this.hiddenSize };
  }
}

Module.register('EddyRNTN', (o) => new RNTN(o as unknown as RNTNOptions));
