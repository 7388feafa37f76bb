import type { Tensor } from '@eddy/autograd';
import { intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { treeLstmCell } from './cell.js';
import { TreeModel, treeOptions, type TreeModelOptions } from './tree-model.js';

export interface BinaryTreeLSTMOptions extends TreeModelOptions {
  /** Size of the word vectors, E. */
  embeddingSize: number;
  /** Size of the memory cell and hidden state, H. */
  hiddenSize: number;
}

/**
 * The constituency (N-ary, N = 2) Tree-LSTM of Tai, Socher and Manning (2015), level-batched:
 *
 *     leaf (word vector x):   i, o, u = σ, σ, tanh (W⁽ˡᵉᵃᶠ⁾ x + b⁽ˡᵉᵃᶠ⁾)
 *                             c = i ⊙ u,   h = o ⊙ tanh(c)
 *     inner (children (h_l, c_l), (h_r, c_r); no word input):
 *       i, f_l, f_r, o, u = σ, σ, σ, σ, tanh (W [h_l; h_r] + b)
 *       c = i ⊙ u + f_l ⊙ c_l + f_r ⊙ c_r,   h = o ⊙ tanh(c)
 *     every node: y = softmax(W_s h + b_s)
 *
 * One GEMM per level gives all five gates of all its nodes (each gate has its own U_l and U_r: the
 * columns of W acting on h_l and on h_r).
 *
 * Parameters (PyTorch names): `embedding.weight` [V, E], `leaf.weight` [3H, E] and `leaf.bias` [3H]
 * (blocks i, o, u), `W.weight` [5H, 2H] and `W.bias` [5H] (blocks i, f_l, f_r, o, u),
 * `classifier.weight` [C, H], `classifier.bias` [C]. Options: `vocabSize`, `embeddingSize` E,
 * `hiddenSize` H, `numClasses` C, `dropout` = 0.
 *
 * @example
 * const model = new BinaryTreeLSTM({ vocabSize: vocab.size, embeddingSize: 300, hiddenSize: 150, numClasses: 5, dropout: 0.5 });
 */
export class BinaryTreeLSTM extends TreeModel {
  readonly embeddingSize: number;
  readonly leafGates: Linear;
  readonly W: Linear;

  constructor(options: BinaryTreeLSTMOptions) {
    const op = 'BinaryTreeLSTM';
    const o = treeOptions(op, options, ['embeddingSize', 'hiddenSize']);
    const e = intOption(op, 'embeddingSize', o.embeddingSize, 1);
    const h = intOption(op, 'hiddenSize', o.hiddenSize, 1);
    super(op, o as unknown as TreeModelOptions, e, h);
    this.embeddingSize = e;
    this.leafGates = this.registerModule('leaf', new Linear({ inFeatures: e, outFeatures: 3 * h }));
    this.W = this.registerModule('W', new Linear({ inFeatures: 2 * h, outFeatures: 5 * h }));
    this.addClassifier();
  }

  leaf(x: Tensor): Tensor[] {
    // Packed as a level's W is: one product, but its weight gradient is then the GEMM on operands
    // transposed along k that PackedWeight makes, which packs faster.
    return treeLstmCell(x, this.packed(this.leafGates.weight), this.leafGates.bias!, this.hiddenSize, null);
  }

  /** One level: the five gates of every node in one GEMM (W packed once per pass), then the cell update (one pass). */
  compose([hh, cc]: readonly Tensor[]): Tensor[] {
    return treeLstmCell(hh, this.packed(this.W.weight), this.W.bias!, this.hiddenSize, cc);
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig('EddyBinaryTreeLSTM'), embeddingSize: this.embeddingSize, hiddenSize: this.hiddenSize };
  }
}

Module.register('EddyBinaryTreeLSTM', (o) => new BinaryTreeLSTM(o as unknown as BinaryTreeLSTMOptions));
