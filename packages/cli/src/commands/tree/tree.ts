import type { Command } from '../../main.js';
import { onThreads } from '../../threads.js';
import { runTreeEval } from './eval.js';
import { runTreePredict } from './predict.js';
import { TREE_EVAL_SPEC, TREE_PREDICT_SPEC, TREE_TRAIN_SPEC } from './spec.js';
import { runTreeTrain } from './train.js';

/** `eddy tree train | predict | eval`. */
export const TREE_SUBCOMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: TREE_TRAIN_SPEC, run: runTreeTrain },
  predict: onThreads(TREE_PREDICT_SPEC, runTreePredict),
  eval: onThreads(TREE_EVAL_SPEC, runTreeEval),
};
