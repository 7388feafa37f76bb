import type { Command } from '../../main.js';
import { onThreads } from '../../threads.js';
import { runSeq2SeqEval } from './eval.js';
import { SEQ2SEQ_EVAL_SPEC, SEQ2SEQ_TRAIN_SPEC, SEQ2SEQ_TRANSLATE_SPEC } from './spec.js';
import { runSeq2SeqTrain } from './train.js';
import { runSeq2SeqTranslate } from './translate.js';

/** `eddy seq2seq train | translate | eval`. */
export const SEQ2SEQ_SUBCOMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: SEQ2SEQ_TRAIN_SPEC, run: runSeq2SeqTrain },
  translate: onThreads(SEQ2SEQ_TRANSLATE_SPEC, runSeq2SeqTranslate),
  eval: onThreads(SEQ2SEQ_EVAL_SPEC, runSeq2SeqEval),
};
