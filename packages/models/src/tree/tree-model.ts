import { argmax, crossEntropy, dropout, mul, noGrad, scope, tensor, type Tensor } from '@eddy/autograd';
import { boolOption, checkOptions, intOption, PackedWeight, rangeOption } from '@eddy/autograd/internal';
import { fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { gatherFrom, LevelStates, locateNodes, planLevels, type ChildListBatch, type TreeBatch } from './batch.js';

// The one runner behind RecursiveNN, RNTN, BinaryTreeLSTM and ChildSumTreeLSTM: embedding, leaves,
// then the levels of the schedule (gather the children's states, the model's composition as a few
// large operations),
// a softmax classifier shared by every node, per-node cross-entropy. A model says only how a leaf
// and how a level is computed (`leaf`, `compose`), as a recurrent cell says one step.

/** The options every tree model takes. */
export interface TreeModelOptions {
  /** Words in the vocabulary, V. */
  vocabSize: number;
  /** Classes of the node classifier, C (5 for SST's fine-grained labels). */
  numClasses: number;
  /** Probability of dropping an element of the word vectors and of the classifier's input. Default 0. */
  dropout?: number;
}

/** Per node, in global node order: the hidden state h [N, H] and the classifier's logits [N, C]. */
export interface TreeOutput {
  h: Tensor;
  logits: Tensor;
}

/** Options of `loss`. */
export interface TreeLossOptions {
  /** Supervise the roots only (sentence labels) instead of every labelled node. Default false. */
  rootOnly?: boolean;
  /**
   * Sum the cross-entropy over each tree's supervised nodes and average over the trees, instead
   * of averaging over all supervised nodes of the batch. This is the papers' objective (CoreNLP's
   * RNTN, Tai et al.'s Tree-LSTM), where a long sentence weighs more than a short one. Its
   * gradient is larger by the mean number of supervised nodes per tree (≈ 37 on SST), which
   * matters beside an L2 penalty. Default false.
   */
  perTree?: boolean;
}

export abstract class TreeModel extends Module {
  readonly vocabSize: number;
  readonly numClasses: number;
  readonly hiddenSize: number;
  readonly dropout: number;
  readonly embedding: Embedding;
  /** Built by the subclass after its composition parameters (the state dict's order). */
  classifier!: Linear;
  /**
   * Whether the model reads child lists (`childListSchedule`, any number of children) instead of
   * binary levels (`levelSchedule`). A model overrides it to true.
   */
  protected readonly childLists: boolean = false;
  /** The weights packed for the levels of the current forward pass (see `packed`); null between passes. */
  private packs: Map<Tensor, PackedWeight> | null = null;

  protected constructor(op: string, options: TreeModelOptions, embeddingSize: number, hiddenSize: number) {
    super();
    this.vocabSize = intOption(op, 'vocabSize', options.vocabSize, 1);
    this.numClasses = intOption(op, 'numClasses', options.numClasses, 2);
    this.dropout = rangeOption(op, 'dropout', options.dropout, 0, 1, 0);
    this.hiddenSize = hiddenSize;
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: this.vocabSize, embeddingDim: embeddingSize }));
  }

  /** Registers the shared node classifier (call last in the subclass's constructor). */
  protected addClassifier(): void {
    this.classifier = this.registerModule('classifier', new Linear({ inFeatures: this.hiddenSize, outFeatures: this.numClasses }));
  }

  /**
   * The leaves' states from their word vectors x [L, E]: h [L, H] first (and c for an LSTM). Without
   * word dropout the runner passes one row per distinct word of the batch, not one per leaf.
   */
  abstract leaf(x: Tensor): Tensor[];

  /**
   * One level: from the children's states to the level's states (h [M, H] first). Binary models get
   * per state component [M, 2H] = [left; right]; child-list models get every child's row, [K, H] in
   * child-list order, and `childStart` [M + 1] (node r's children are rows childStart[r] … childStart[r + 1]).
   */
  abstract compose(children: readonly Tensor[], childStart?: Int32Array): Tensor[];

  /**
   * `weight` packed into GEMM panels once for every level of the current forward pass (for
   * `compose`, and `leaf`), not once per level; the packs are dropped when the pass ends (the
   * weight changes). Its gradient is then one GEMM over every level's rows (see PackedWeight).
   * Outside `encode` (a level composed on its own) the weight as it is.
   */
  protected packed(weight: Tensor): Tensor | PackedWeight {
    if (this.packs === null) return weight;
    let p = this.packs.get(weight);
    if (p === undefined) this.packs.set(weight, (p = new PackedWeight(weight)));
    return p;
  }

  /** The hidden state of every node, in global node order: [numNodes, H]. */
  encode(batch: TreeBatch | ChildListBatch): Tensor {
    this.packs = new Map();
    try {
      return this.runLevels(batch);
    } finally {
      this.packs = null;
    }
  }

  private runLevels(batch: TreeBatch | ChildListBatch): Tensor {
    const where = locateNodes(`${this.constructor.name}.forward`, batch, this.childLists);
    const plan = planLevels(batch, where, this.childLists, !(this.training && this.dropout > 0));
    const x = dropout(this.embedding.forward(tensor(plan.leafWords, [plan.leafWords.length], { dtype: 'int32' })), this.dropout, this.training);
    const leaves = this.leaf(x);
    // One store per state component (h, c): a level's children are gathered from it in one pass.
    const rows = leaves[0].shape[0] + batch.levels.reduce((n, lv) => n + lv.nodes.length, 0);
    const states = leaves.map((s) => new LevelStates(plan.stateWhere, s.shape[1], rows));
    const publish = (out: Tensor[]) => out.forEach((s, c) => states[c].publish(s));
    publish(leaves);
    batch.levels.forEach((lv, l) => {
      const children = states.map((s) => gatherFrom(s, plan.childIds[l], plan.per));
      publish(this.compose(children, this.childLists ? (lv as ChildListBatch['levels'][number]).childStart : undefined));
    });
    // Every node's h in global order, one more gather (a leaf shared by its word reads its word's row).
    return gatherFrom(states[0], plan.nodeIds, 1);
  }

  /** Hidden states and class logits of every node (global node order). */
  forward(batch: TreeBatch | ChildListBatch): TreeOutput {
    const h = this.encode(batch);
    return { h, logits: this.classifier.forward(dropout(h, this.dropout, this.training)) };
  }

  /**
   * Mean cross-entropy of the classifier over the labelled nodes (label ≥ 0), or over the roots
   * with `rootOnly`; with `perTree`, summed over the nodes and averaged over the trees.
   * E_ARGUMENT when no node is supervised or a label is not below numClasses.
   */
  loss(batch: TreeBatch | ChildListBatch, options: TreeLossOptions = {}): Tensor {
    const op = `${this.constructor.name}.loss`;
    const o = checkOptions(op, options, ['rootOnly', 'perTree']);
    const rootOnly = boolOption(op, 'rootOnly', o.rootOnly, false);
    const perTree = boolOption(op, 'perTree', o.perTree, false);
    const { logits } = this.forward(batch);
    const targets = new Int32Array(batch.numNodes).fill(-1);
    const supervised = rootOnly ? batch.roots : batch.labels.map((_, g) => g);
    let count = 0;
    for (const g of supervised) {
      const y = batch.labels[g];
      if (y === -1) continue;
      if (!(y >= 0 && y < this.numClasses)) throw fail('E_ARGUMENT', `${op}: the label of node ${g} must be in [0, ${this.numClasses}) or −1, got ${y}`);
      targets[g] = y;
      count++;
    }
    if (count === 0) throw fail('E_ARGUMENT', `${op}: no ${rootOnly ? 'root' : 'node'} of the batch has a label`);
    const y = tensor(targets, [batch.numNodes], { dtype: 'int32' });
    if (!perTree) return crossEntropy(logits, y, { ignoreIndex: -1 });
    return mul(crossEntropy(logits, y, { ignoreIndex: -1, reduction: 'sum' }), 1 / batch.roots.length);
  }

  /** The predicted class of every node (global node order), without recording. */
  predict(batch: TreeBatch | ChildListBatch): Int32Array {
    return noGrad(() => scope(() => argmax(this.forward(batch).logits, -1).toArray() as Int32Array));
  }

  protected baseConfig(type: string): ModuleConfig {
    return { type, vocabSize: this.vocabSize, numClasses: this.numClasses, dropout: this.dropout };
  }
}

/** Checks `options` (unknown keys throw E_ARGUMENT naming them) for a tree model with `extra` keys. */
export function treeOptions(op: string, options: unknown, extra: readonly string[]): Record<string, unknown> {
  if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { vocabSize, numClasses, … } are required`);
  return checkOptions(op, options, ['vocabSize', 'numClasses', 'dropout', ...extra]);
}
