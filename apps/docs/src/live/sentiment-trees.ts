import { manualSeed, optim } from '@eddy/autograd';
import { BinaryTreeLSTM } from '@eddy/models';
import { levelSchedule, Vocab, type LevelSchedule, type Tree } from '@eddy/text';
import { batchInTurn, PageTraining, type TrainOptions } from './page-training.js';
import { makeTreebank, phraseOf, WORDS } from './treebank.js';

/** One node of a drawn tree, in viewBox units. */
export interface DrawnNode {
  x: number;
  y: number;
  /** The leaf's word, '' at inner nodes. */
  word: string;
  /** The grammar's label (-1 if none) and the model's prediction. */
  label: number;
  predicted: number;
  parent: number;
}

/** Leaves evenly spaced left to right, each parent centred over its children, one row per depth. */
export function layoutTree(tree: Tree, predicted: ArrayLike<number>): DrawnNode[] {
  const nodes: DrawnNode[] = [];
  const parent = new Int32Array(tree.size).fill(-1);
  const depth = new Int32Array(tree.size);
  for (let i = 0; i < tree.size; i++) {
    for (let k = tree.childStart[i]; k < tree.childStart[i + 1]; k++) {
      parent[tree.children[k]] = i;
      depth[tree.children[k]] = depth[i] + 1;
    }
  }
  const x = new Float64Array(tree.size);
  let nextLeaf = 0;
  // Ids are preorder (children after parents, left before right): leaves in id order are left to right.
  for (let i = 0; i < tree.size; i++) if (tree.childStart[i + 1] === tree.childStart[i]) x[i] = nextLeaf++;
  for (let i = tree.size - 1; i >= 0; i--) {
    const [a, b] = [tree.childStart[i], tree.childStart[i + 1]];
    if (b > a) x[i] = (x[tree.children[a]] + x[tree.children[b - 1]]) / 2;
  }
  for (let i = 0; i < tree.size; i++) {
    nodes.push({ x: 40 + x[i] * 70, y: 30 + depth[i] * 50, word: tree.words[i], label: tree.labels[i], predicted: predicted[i], parent: parent[i] });
  }
  return nodes;
}

const BATCH = 25;

/**
 * The sentiment-tree page's model: a binary Tree-LSTM trained with `trainLoop` on the page's own
 * treebank (treebank.ts), supervised at every node, that predicts every node of the reader's
 * sentence.
 */
export class SentimentTrees {
  readonly vocab: Vocab;
  readonly model: BinaryTreeLSTM;
  private readonly training: PageTraining;

  constructor(options: { trees?: number; seed?: number } = {}) {
    const { trees = 400, seed = 0 } = options;
    manualSeed(seed);
    this.vocab = Vocab.fromCounts(new Map(WORDS.map((w) => [w, 1])));
    const bank = makeTreebank(trees, seed);
    const batches: LevelSchedule[] = [];
    for (let i = 0; i < bank.length; i += BATCH) batches.push(levelSchedule(bank.slice(i, i + BATCH), this.vocab));
    this.model = new BinaryTreeLSTM({ vocabSize: this.vocab.size, embeddingSize: 24, hiddenSize: 32, numClasses: 3 });
    const optimizer = new optim.Adam(this.model.parameters(), { lr: 0.01 });
    this.training = new PageTraining({ optimizer, loss: (step) => this.model.loss(batchInTurn(batches, step)), clip: 5 });
  }

  train(options: TrainOptions): Promise<number> {
    return this.training.train(options);
  }

  /** The drawn tree of `sentence` with the model's class at every node, or null outside the grammar. */
  predict(sentence: string): DrawnNode[] | null {
    const tree = phraseOf(sentence);
    if (tree === null) return null;
    const batch = levelSchedule([tree], this.vocab);
    const global = this.model.predict(batch);
    const local = new Int32Array(tree.size);
    for (let g = 0; g < global.length; g++) local[batch.node[g]] = global[g];
    return layoutTree(tree, local);
  }
}
