import type { Command } from '../../main.js';
import { runSeq2SeqEval } from './eval.js';
import { SEQ2SEQ_EVAL_SPEC, SEQ2SEQ_TRAIN_SPEC, SEQ2SEQ_TRANSLATE_SPEC } from './spec.js';
import { runSeq2SeqTrain } from './train.js';
import { runSeq2SeqTranslate } from './translate.js';

/** `eddy seq2seq train | translate | eval`. */
export const SEQ2SEQ_SUBCOMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: SEQ2SEQ_TRAIN_SPEC, run: runSeq2SeqTrain },
  translate: { spec: SEQ2SEQ_TRANSLATE_SPEC, run: (a, io) => runSeq2SeqTranslate(a, io) },
  eval: { spec: SEQ2SEQ_EVAL_SPEC, run: (a, io) => runSeq2SeqEval(a, io) },
};
