import { getRngState, type optim } from '@eddy/autograd';
import type { Module } from '@eddy/models';
import type { Tokenizer } from '@eddy/text';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, optimizerToFiles, writeCheckpoint, type CheckpointConfig, type CheckpointParts, type TrainState } from '../../checkpoint/checkpoint.js';
import { CliError, reason } from '../../errors.js';

/** What a training command without a carried hidden state (classify, tree) saves at a checkpoint. */
export interface RunSnapshot<B> {
  config: CheckpointParts['config'];
  model: Module;
  /** The weights best/ takes (the mean with --average-epochs); absent: `model`'s. */
  bestModel?: Module;
  tokenizer: Tokenizer;
  opt: optim.Optimizer;
  /** More train-state buffers (the averaged epochs' snapshots). */
  extraTensors?: Record<string, { data: Float32Array; shape: number[] }>;
  step: number;
  tokensSeen: number;
  /** The batcher's position: where the next batch comes from. */
  batcher: B;
}

/**
 * Writes the checkpoint of a run to `dir` (`out` as the user named it) with the RNG, the optimizer's
 * state and the batcher position for exact resume; `best` and `bestFrom` as `writeCheckpoint`. A
 * failed write ends in one sentence (the previous checkpoint is intact: the write is atomic).
 */
export function saveRun<B>(dir: string, out: string, run: RunSnapshot<B>, best: boolean, elapsedSeconds: number, bestFrom: string): void {
  const optimizer = optimizerToFiles(run.opt.stateDict());
  const trainState: TrainState<B> = {
    version: CHECKPOINT_VERSION, step: run.step, tokensSeen: run.tokensSeen, elapsedSeconds, rng: getRngState(),
    batcher: run.batcher, optimizer: optimizer.json, hasHidden: false,
  };
  try {
    writeCheckpoint(
      dir,
      { config: run.config, model: run.model, bestModel: run.bestModel, tokenizer: run.tokenizer, trainState, trainTensors: { ...optimizer.tensors, ...run.extraTensors } },
      best,
      bestFrom,
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? reason(e);
    throw new CliError(`writing the checkpoint to ${out} failed (${code}); the previous checkpoint there is intact — free some space or choose another --out, then --resume it.`);
  }
}

/**
 * The config.json of a run: format, version, model, tokenizer, the command's `extra` fields (a
 * classifier's labels), the run's options and `progress`, in that order.
 */
export function runConfig<T, P extends { step: number }, E extends object = object>(
  run: { model: Module; tokenizer: Tokenizer; options: T },
  progress: P,
  extra?: E,
): CheckpointConfig<T, P> & E {
  return {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, model: run.model.toConfig(), tokenizer: run.tokenizer.type,
    ...(extra as E), training: run.options, progress,
  };
}
