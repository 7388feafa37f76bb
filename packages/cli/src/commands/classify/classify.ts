import type { Command } from '../../main.js';
import { onThreads } from '../../threads.js';
import { runClassifyEval } from './eval.js';
import { runClassifyPredict } from './predict.js';
import { CLASSIFY_EVAL_SPEC, CLASSIFY_PREDICT_SPEC, CLASSIFY_TRAIN_SPEC } from './spec.js';
import { runClassifyTrain } from './train.js';

/** `eddy classify train | predict | eval`. */
export const CLASSIFY_SUBCOMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: CLASSIFY_TRAIN_SPEC, run: runClassifyTrain },
  predict: onThreads(CLASSIFY_PREDICT_SPEC, runClassifyPredict),
  eval: onThreads(CLASSIFY_EVAL_SPEC, runClassifyEval),
};
