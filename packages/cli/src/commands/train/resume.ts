import { setRngState, type optim } from '@eddy/autograd';
import { optimizerFromFiles, type CommonTrainingOptions, type TrainState } from '../../checkpoint/checkpoint.js';
import type { Corpus } from '../../corpus.js';
import { CliError, reason, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { FileRef } from '../classify/checkpoint.js';

// What every sentence-level training command (classify, seq2seq, …) does alike to resume a run from
// its checkpoint: refuse options the checkpoint fixes, reread its files and check they are the same,
// take new bounds, and restore the optimizer, the RNG and the batcher position { epoch, batch }.

/** Refuses, with one sentence each, what `--resume DIR` cannot take: a `fixed` option, a file argument, both bounds. */
export function checkResumeArgs(args: ParsedArgs, dir: string, fixed: readonly string[]): void {
  for (const name of fixed) {
    if (args.has(name)) throw new UsageError(`--${name} cannot change when resuming (the checkpoint fixes it); drop --${name}, or start a new run without --resume.`);
  }
  if (args.positionals.length > 0) throw new UsageError(`--resume reads the training file named in ${dir}/config.json; drop the argument '${args.positionals[0]}'.`);
  if (args.has('steps') && args.has('epochs')) throw new UsageError('--steps and --epochs both bound the run; give one of them.');
}

/** The saved options with the run's bounds replaced when any of --steps, --epochs, --time is given. */
export function resumedOptions<T extends CommonTrainingOptions>(args: ParsedArgs, saved: T): T {
  if (!(args.has('steps') || args.has('epochs') || args.has('time'))) return { ...saved };
  return { ...saved, steps: args.optionalNumber('steps') ?? null, epochs: args.optionalNumber('epochs') ?? null, time: args.optionalNumber('time') ?? null };
}

/** Rereads a file a checkpoint in `dir` names (with `read`), refusing one whose sha256 changed. */
export function rereadFile<F extends { corpus: Corpus }>(dir: string, f: FileRef, what: string, verb: string, read: (path: string, what: string, verb: string) => F): F {
  const file = read(f.path, what, verb);
  if (file.corpus.sha256 !== f.sha256) throw new CliError(`${what} ${f.path} has changed since ${dir} was written (its sha256 differs); resuming needs the same file, so restore it or start a new run.`);
  return file;
}

/**
 * Loads the optimizer state and the RNG of `trainState` and checks its batcher position against
 * the `batchesPerEpoch` of the reread data; anything wrong is one sentence calling it corrupt.
 */
export function restoreTrainState(
  dir: string, opt: optim.Optimizer, trainState: TrainState<{ epoch: number; batch: number }>, tensors: Record<string, Float32Array>, batchesPerEpoch: number,
): void {
  try {
    opt.loadStateDict(optimizerFromFiles(trainState.optimizer, tensors));
    setRngState(trainState.rng);
    if (trainState.batcher.batch > batchesPerEpoch) throw new Error(`batcher.batch ${trainState.batcher.batch} is past the end of an epoch`);
  } catch (e) {
    throw new CliError(`${dir}/train-state is corrupt (${reason(e)}); resume from a complete checkpoint or restart training.`);
  }
}
