import { TreeModel } from '@eddy/models';
import { bestCheckpointDir, readCheckpoint, type CheckpointConfig, type CheckpointKind, type CommonTrainingOptions, type LoadedCheckpoint } from '../../checkpoint/checkpoint.js';
import type { EmbeddingsRecord } from '../train/embeddings.js';
import { checkEpochPosition, type AccuracyProgress, type EpochPosition, type FileRef } from '../train/epoch-run.js';
import type { TreeModelKind } from './spec.js';

// A tree model's checkpoint directory is the shared layout (checkpoint/checkpoint.ts) with:
//   config.json  model: the TreeModel's config (EddyBinaryTreeLSTM, EddyChildSumTreeLSTM, EddyRNTN,
//                EddyRecursiveNN); training: TreeTrainingOptions; progress: AccuracyProgress (root accuracy)
//   vocab.json   a word tokenizer over the leaves of the training trees (row i of the embedding is word i)
//   train-state  batcher: { epoch, batch } — the next batch of that epoch's order (the training trees
//                shuffled with seed + epoch), as eddy classify's.

/** The training options of a tree run (config.json's `training`). */
export interface TreeTrainingOptions extends CommonTrainingOptions {
  train: FileRef;
  valid: FileRef | null;
  model: TreeModelKind;
  /** Labels in the files are 0 … classes − 1. */
  classes: number;
  /** Tai et al.'s binary model (the network has 2 classes). */
  binary: boolean;
  rootOnly: boolean;
  dropout: number;
  embeddingLr: number;
  l2: number;
  embeddingL2: number;
  adagradReset: boolean;
  /**
   * CoreNLP's objective and AdaGrad (--corenlp, and the RNTN's default with AdaGrad): the loss summed
   * over a tree's nodes, averaged over trees; absent in checkpoints written before --corenlp existed.
   */
  corenlp?: boolean;
  /** Under CoreNLP's objective: the L2 of the classifier's weights (absent before the option: 1e-4). */
  classifierL2?: number;
  /** --tensor-l2: the L2 of the RNTN's tensor V in a group of its own; absent or null: V is in --l2's group. */
  tensorL2?: number | null;
  /** --unk-replace: α of unknown-word replacement in training (absent before the option: 0, none). */
  unkReplace?: number;
  /** --average-epochs: K, best/ and validation use the mean of the last K epochs' weights (absent before the option: 0, off). */
  averageEpochs?: number;
  embeddings: EmbeddingsRecord | null;
}

export type TreeConfig = CheckpointConfig<TreeTrainingOptions, AccuracyProgress>;

export const TREE_CHECKPOINT: CheckpointKind<TreeModel, EpochPosition> = {
  // The kind is checked with instanceof; TreeModel's constructor is protected (it is abstract).
  model: TreeModel as unknown as abstract new (...args: never[]) => TreeModel,
  what: 'a tree model',
  trainCommand: 'eddy tree train',
  vocabSize: (m) => m.vocabSize,
  checkBatcher: checkEpochPosition,
};

export type LoadedTreeModel = LoadedCheckpoint<TreeModel, TreeConfig, EpochPosition>;

/** Reads tree checkpoint `dir` (with `trainState`, the run to resume). */
export function readTreeModel(dir: string, options: { trainState?: boolean } = {}): LoadedTreeModel {
  return readCheckpoint<TreeModel, TreeConfig, EpochPosition>(dir, { ...options, kind: TREE_CHECKPOINT });
}

/** The model predict and eval use: `dir/best/` when it exists, else `dir`. */
export function readBestTreeModel(dirGiven: string): LoadedTreeModel {
  return readTreeModel(bestCheckpointDir(dirGiven));
}
