import { availableParallelism } from 'node:os';
import { getCore, loadCore, useCore, type Core } from '@eddy/autograd';
import { CliError } from './errors.js';
import type { Command } from './main.js';
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec, type ParsedArgs } from './options.js';
import type { Io } from './progress.js';

/**
 * More threads stop paying where a split product's chunks get thin: the GEMMs of the default models
 * (B = 32 rows, 4·H = 512 columns) give each of 4 threads 16 column panels. Not measured beyond the
 * 2 cores of this project's machines.
 */
export const MAX_DEFAULT_THREADS = 4;

/**
 * The `--threads` option of every command that runs a model: the ones that train or measure (`eddy
 * train`, `classify|tree|seq2seq train`, `eddy bench`) and, through `onThreads`, the ones that use a
 * trained model (`sample`, `eval`, `classify|tree predict|eval`, `seq2seq translate|eval`).
 */
/** `--fast` of the training commands: the relaxed-SIMD core, recorded in the checkpoint. */
export const FAST_OPTION: OptionSpec = {
  name: 'fast',
  type: 'flag',
  help: 'train on the relaxed-SIMD core: ≈ 25% faster (fused multiply-add), not bit-identical across machines',
};

export const THREADS_OPTION: OptionSpec = {
  name: 'threads',
  type: 'int',
  min: 1,
  max: 256,
  help: `threads that split large matrix products (default: this machine's cores, at most ${MAX_DEFAULT_THREADS}); the results do not depend on it`,
};

/**
 * The thread count a command runs with: `--threads`, else the machine's cores up to
 * MAX_DEFAULT_THREADS. Not part of a run's options: a checkpoint resumed with another count
 * continues with the same bits.
 */
export function threadCount(args: ParsedArgs, fallback = Math.min(availableParallelism(), MAX_DEFAULT_THREADS)): number {
  return args.optionalNumber('threads') ?? fallback;
}

/**
 * A command that uses a trained model, run on `--threads` threads of the deterministic core: `spec`
 * gains THREADS_OPTION (listed before --json and --help) and `run` runs with that core current. The
 * outputs do not depend on the count. `defaultThreads` replaces the machine's cores where more
 * threads cannot pay (`eddy sample` draws one token at a time: batch-1 products never split).
 */
export function onThreads(spec: CommandSpec, run: (args: ParsedArgs, io: Io) => Promise<number>, defaultThreads?: number): Command {
  const common = new Set(COMMON_OPTIONS.map((o) => o.name));
  const option: OptionSpec = defaultThreads === undefined
    ? THREADS_OPTION
    : { ...THREADS_OPTION, help: `threads that split large matrix products (default ${defaultThreads}); the results do not depend on it` };
  return {
    spec: { ...spec, options: [...spec.options.filter((o) => !common.has(o.name)), option, ...spec.options.filter((o) => common.has(o.name))] },
    run: (args, io) => withTrainingCore({ fast: false, threads: threadCount(args, defaultThreads) }, () => run(args, io)),
  };
}

/**
 * Runs `fn` with the core a training run uses as the current core, then restores the previous one
 * and stops the workers: the deterministic plain-SIMD default, or with `fast` the relaxed-SIMD build,
 * on `threads` threads. The bits do not depend on the thread count, so a checkpoint does not record
 * it and a resumed run may use another.
 */
export async function withTrainingCore<T>(options: { fast: boolean; threads: number }, fn: (core: Core) => Promise<T>): Promise<T> {
  const { fast, threads } = options;
  const core = !fast && threads === 1 ? getCore() : await loadCore({ deterministic: !fast, threads });
  if (fast && core.variant !== 'relaxed') {
    core.close();
    throw new CliError(
      '--fast needs relaxed SIMD, which this JavaScript engine lacks (Node 20 has it behind --experimental-wasm-relaxed-simd, which the eddy command sets); run it through the eddy command or Node ≥ 22, or train without --fast.',
    );
  }
  const previous = getCore();
  useCore(core);
  try {
    return await fn(core);
  } finally {
    useCore(previous);
    if (core !== previous) core.close();
  }
}
