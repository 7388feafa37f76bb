import { join } from 'node:path';
import { SequenceClassifier } from '@eddy/models';
import { bestCheckpointDir, readCheckpoint, type CheckpointConfig, type CheckpointKind, type CommonTrainingOptions, type LoadedCheckpoint } from '../../checkpoint/checkpoint.js';
import { CliError } from '../../errors.js';
import type { EmbeddingsRecord } from '../train/embeddings.js';
import { checkEpochPosition, type AccuracyProgress, type EpochPosition, type FileRef } from '../train/epoch-run.js';
import type { LineFormat } from './data.js';

// A classifier's checkpoint directory is the shared layout (checkpoint/checkpoint.ts: config.json,
// model.safetensors, vocab.json, train-state/, best/, written atomically under the lock) with:
//   config.json  model: the SequenceClassifier's config (type EddySequenceClassifier)
//                labels: the class names, class i is labels[i]
//                training: ClassifyTrainingOptions; progress: ClassifyProgress
//   train-state  batcher: { epoch, batch } — the next batch of that epoch's seeded order
//                (classificationBatches with seed + epoch), so a resumed run sees the same batches.

/** The training options of a classifier run (config.json's `training`). */
export interface ClassifyTrainingOptions extends CommonTrainingOptions {
  train: FileRef;
  valid: FileRef | null;
  format: LineFormat;
  valFraction: number;
  embeddings: EmbeddingsRecord | null;
  maxLength: number;
}

/** Where a classifier run stood (config.json's `progress`); accuracies are fractions. */
export type ClassifyProgress = AccuracyProgress;

export interface ClassifierConfig extends CheckpointConfig<ClassifyTrainingOptions, ClassifyProgress> {
  labels: string[];
}

/** The position of a run in its batches: batch `batch` (from 0) of epoch `epoch`. */
export type ClassifyBatcherState = EpochPosition;

export const CLASSIFIER_CHECKPOINT: CheckpointKind<SequenceClassifier, ClassifyBatcherState> = {
  model: SequenceClassifier,
  what: 'a sequence classifier',
  trainCommand: 'eddy classify train',
  vocabSize: (m) => m.options.vocabSize,
  checkBatcher: checkEpochPosition,
};

export type LoadedClassifier = LoadedCheckpoint<SequenceClassifier, ClassifierConfig, ClassifyBatcherState>;

/**
 * Reads classifier checkpoint `dir` (with `trainState`, the run to resume). Its labels must be
 * as many distinct strings as the model has classes.
 */
export function readClassifier(dir: string, options: { trainState?: boolean } = {}): LoadedClassifier {
  const ck = readCheckpoint<SequenceClassifier, ClassifierConfig, ClassifyBatcherState>(dir, { ...options, kind: CLASSIFIER_CHECKPOINT });
  const labels = ck.config.labels as unknown;
  const classes = ck.model.options.numClasses;
  if (!Array.isArray(labels) || labels.length !== classes || labels.some((l) => typeof l !== 'string') || new Set(labels).size !== labels.length) {
    ck.model.dispose();
    throw new CliError(`${join(ck.dir, 'config.json')} is corrupt (labels must be ${classes} distinct strings, one per class); retrain, or restore the checkpoint directory from a copy.`);
  }
  return ck;
}

/** The model predict and eval use: `dir/best/` (the best validated one) when it exists, else `dir`. */
export function readBestClassifier(dirGiven: string): LoadedClassifier {
  return readClassifier(bestCheckpointDir(dirGiven));
}
