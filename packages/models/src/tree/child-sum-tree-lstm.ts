import { mul, sigmoid, type Tensor } from '@eddy/autograd';
import { intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { segmentSum } from './batch.js';
import { treeLstmCell } from './cell.js';
import { TreeModel, treeOptions, type TreeModelOptions } from './tree-model.js';

export interface ChildSumTreeLSTMOptions extends TreeModelOptions {
  /** Size of the word vectors, E. */
  embeddingSize: number;
  /** Size of the memory cell and hidden state, H. */
  hiddenSize: number;
}

/**
 * The Child-Sum (dependency) Tree-LSTM of Tai, Socher and Manning (2015): any number of children,
 * a forget gate per child. Level-batched over a `childListSchedule` of @eddy/text:
 *
 *     h̃ⱼ = Σ_{k∈C(j)} hₖ
 *     iⱼ, oⱼ, uⱼ = σ, σ, tanh (W⁽ⁱ'ᵒ'ᵘ⁾ xⱼ + U⁽ⁱ'ᵒ'ᵘ⁾ h̃ⱼ + b⁽ⁱ'ᵒ'ᵘ⁾)
 *     fⱼₖ = σ(W⁽ᶠ⁾ xⱼ + U⁽ᶠ⁾ hₖ + b⁽ᶠ⁾)            for every child k
 *     cⱼ = iⱼ ⊙ uⱼ + Σₖ fⱼₖ ⊙ cₖ,   hⱼ = oⱼ ⊙ tanh(cⱼ)
 *     every node: y = softmax(W_s h + b_s)
 *
 * Words sit at the leaves only (constituency trees; the schedule carries no word for an inner node),
 * so xⱼ = 0 at inner nodes and a leaf has no children (h̃ = 0, no forget gate). W⁽ᶠ⁾ xⱼ is therefore
 * 0 wherever a forget gate exists and the model has no W⁽ᶠ⁾ (it would never receive a gradient).
 * A level is: one gather of its children's h and c rows [K, H], the per-parent sums of those rows
 * (one pass), one GEMM for i, o, u of all M nodes, one GEMM on the K children's rows for their
 * forget gates.
 *
 * Parameters (PyTorch names): `embedding.weight` [V, E], `W.weight` [3H, E] and `W.bias` [3H]
 * (blocks i, o, u: W⁽ⁱ'ᵒ'ᵘ⁾ and b⁽ⁱ'ᵒ'ᵘ⁾), `U.weight` [3H, H] (blocks i, o, u, acting on h̃),
 * `Uf.weight` [H, H] and `Uf.bias` [H] (U⁽ᶠ⁾ and b⁽ᶠ⁾, acting on each child's h),
 * `classifier.weight` [C, H], `classifier.bias` [C]. Options: `vocabSize`, `embeddingSize` E,
 * `hiddenSize` H, `numClasses` C, `dropout` = 0.
 *
 * @example
 * const model = new ChildSumTreeLSTM({ vocabSize: vocab.size, embeddingSize: 300, hiddenSize: 150, numClasses: 5 });
 * const loss = model.loss(childListSchedule(trees, vocab));
 */
export class ChildSumTreeLSTM extends TreeModel {
  readonly embeddingSize: number;
  readonly W: Linear;
  readonly U: Linear;
  readonly Uf: Linear;
  protected override readonly childLists = true;

  constructor(options: ChildSumTreeLSTMOptions) {
    const op = 'ChildSumTreeLSTM';
    const o = treeOptions(op, options, ['embeddingSize', 'hiddenSize']);
    const e = intOption(op, 'embeddingSize', o.embeddingSize, 1);
    const h = intOption(op, 'hiddenSize', o.hiddenSize, 1);
    super(op, o as unknown as TreeModelOptions, e, h);
    this.embeddingSize = e;
    this.W = this.registerModule('W', new Linear({ inFeatures: e, outFeatures: 3 * h }));
    this.U = this.registerModule('U', new Linear({ inFeatures: h, outFeatures: 3 * h, bias: false }));
    this.Uf = this.registerModule('Uf', new Linear({ inFeatures: h, outFeatures: h }));
    this.addClassifier();
  }

  /** Leaves: no children, so h̃ = 0 and c = i ⊙ u. */
  leaf(x: Tensor): Tensor[] {
    return treeLstmCell(x, this.packed(this.W.weight), this.W.bias!, this.hiddenSize, null);
  }

  /** One level from its children's rows hK, cK [K, H] (node r's are rows childStart[r] … childStart[r + 1]). */
  compose([hK, cK]: readonly Tensor[], childStart?: Int32Array): Tensor[] {
    const f = sigmoid(this.Uf.forward(hK));
    // xⱼ = 0 at inner nodes: W⁽ⁱ'ᵒ'ᵘ⁾ xⱼ drops out, its bias stays.
    return treeLstmCell(segmentSum(hK, childStart!), this.packed(this.U.weight), this.W.bias!, this.hiddenSize, null, segmentSum(mul(f, cK), childStart!));
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig('EddyChildSumTreeLSTM'), embeddingSize: this.embeddingSize, hiddenSize: this.hiddenSize };
  }
}

Module.register('EddyChildSumTreeLSTM', (o) => new ChildSumTreeLSTM(o as unknown as ChildSumTreeLSTMOptions));
