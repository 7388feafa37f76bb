import { Seq2Seq } from '@eddy/models';
import { bestCheckpointDir, readCheckpoint, type CheckpointConfig, type CheckpointKind, type CommonTrainingOptions, type LoadedCheckpoint } from '../../checkpoint/checkpoint.js';
import { checkEpochPosition, type EpochPosition, type FileRef } from '../train/epoch-run.js';

// A seq2seq checkpoint directory is the shared layout (checkpoint/checkpoint.ts: config.json,
// model.safetensors, vocab.json, train-state/, best/, written atomically under the lock) with:
//   config.json  model: the Seq2Seq's config (type EddySeq2Seq)
//                training: Seq2SeqTrainingOptions; progress: Seq2SeqProgress
//   vocab.json   ONE tokenizer for both sides (a shared vocabulary, trained on sources and targets
//                together): the model's source and target vocabularies are the same ids
//   train-state  batcher: { epoch, batch } — the next batch of that epoch's seeded order
//                (parallelBatches with seed + epoch), as a classifier's.

/** The training options of a seq2seq run (config.json's `training`). */
export interface Seq2SeqTrainingOptions extends CommonTrainingOptions {
  train: FileRef;
  valid: FileRef | null;
  valFraction: number;
  teacherForcing: number;
  maxLength: number;
}

/** Where a seq2seq run stood (config.json's `progress`); BLEU on sacreBLEU's 0–100 scale. */
export interface Seq2SeqProgress {
  step: number;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  valBleu: number | null;
  bestValLoss: number | null;
  bestStep: number | null;
}

export type Seq2SeqConfig = CheckpointConfig<Seq2SeqTrainingOptions, Seq2SeqProgress>;
export type Seq2SeqBatcherState = EpochPosition;

export const SEQ2SEQ_CHECKPOINT: CheckpointKind<Seq2Seq, Seq2SeqBatcherState> = {
  model: Seq2Seq,
  what: 'a seq2seq model',
  trainCommand: 'eddy seq2seq train',
  // One vocabulary for both sides: the tokenizer must match each of them.
  vocabSize: (m) => (m.options.sourceVocabSize === m.options.targetVocabSize ? m.options.targetVocabSize : -1),
  checkBatcher: checkEpochPosition,
};

export type LoadedSeq2Seq = LoadedCheckpoint<Seq2Seq, Seq2SeqConfig, Seq2SeqBatcherState>;

/** Reads seq2seq checkpoint `dir` (with `trainState`, the run to resume). */
export function readSeq2Seq(dir: string, options: { trainState?: boolean } = {}): LoadedSeq2Seq {
  return readCheckpoint<Seq2Seq, Seq2SeqConfig, Seq2SeqBatcherState>(dir, { ...options, kind: SEQ2SEQ_CHECKPOINT });
}

/** The model translate and eval use: `dir/best/` (the lowest validation loss) when it exists, else `dir`. */
export function readBestSeq2Seq(dirGiven: string): LoadedSeq2Seq {
  return readSeq2Seq(bestCheckpointDir(dirGiven));
}
