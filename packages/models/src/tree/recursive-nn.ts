import { tanh, type Tensor } from '@eddy/autograd';
import { intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { TreeModel, treeOptions, type TreeModelOptions } from './tree-model.js';

export interface RecursiveNNOptions extends TreeModelOptions {
  /** Size d of word vectors and node vectors alike. */
  hiddenSize: number;
}

/**
 * The recursive neural network of Socher et al. (2011), level-batched over a TreeBatch:
 *
 *     leaf:   h = tanh(x_w)                      (x_w the word's vector; CoreNLP's leaves)
 *     inner:  p = tanh(W [c₁; c₂] + b)           (c₁, c₂ the left and right child)
 *     every node: y = softmax(W_s p + b_s)
 *
 * Parameters (PyTorch names): `embedding.weight` [V, d], `W.weight` [d, 2d], `W.bias` [d],
 * `classifier.weight` [C, d], `classifier.bias` [C]. Options: `vocabSize`, `hiddenSize` d,
 * `numClasses` C, `dropout` = 0 (word vectors and classifier input). Unknown options throw E_ARGUMENT.
 *
 * @example
 * const model = new RecursiveNN({ vocabSize: vocab.size, hiddenSize: 25, numClasses: 5 });
 * const loss = model.loss(levelSchedule(trees, vocab));   // mean over labelled nodes
 */
export class RecursiveNN extends TreeModel {
  readonly W: Linear;

  constructor(options: RecursiveNNOptions) {
    const o = treeOptions('RecursiveNN', options, ['hiddenSize']);
    const d = intOption('RecursiveNN', 'hiddenSize', o.hiddenSize, 1);
    super('RecursiveNN', o as unknown as TreeModelOptions, d, d);
    this.W = this.registerModule('W', new Linear({ inFeatures: 2 * d, outFeatures: d }));
    this.addClassifier();
  }

  leaf(x: Tensor): Tensor[] {
    return [tanh(x)];
  }

  /** One level: p = tanh(W [c₁; c₂] + b) for every node of the level at once (one GEMM). */
  compose([children]: readonly Tensor[]): Tensor[] {
    return [tanh(this.W.forward(children))];
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig('EddyRecursiveNN'), hiddenSize: this.hiddenSize };
  }
}

Module.register('EddyRecursiveNN', (o) => new RecursiveNN(o as unknown as RecursiveNNOptions));
