export { TreeModel, type TreeModelOptions, type TreeOutput, type TreeLossOptions } from './tree-model.js';
export { gatherNodes, locateNodes, type ChildListBatch, type TreeBatch } from './batch.js';
export { RecursiveNN, type RecursiveNNOptions } from './recursive-nn.js';
export { RNTN, type RNTNOptions } from './rntn.js';
export { BinaryTreeLSTM, type BinaryTreeLSTMOptions } from './binary-tree-lstm.js';
export { ChildSumTreeLSTM, type ChildSumTreeLSTMOptions } from './child-sum-tree-lstm.js';
