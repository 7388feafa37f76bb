import { availableParallelism } from 'node:os';
import type { OptionSpec, ParsedArgs } from './options.js';

/**
 * More threads stop paying where a split product's chunks get thin: the GEMMs of the default models
 * (B = 32 rows, 4·H = 512 columns) give each of 4 threads 16 column panels. Not measured beyond the
 * 2 cores of this project's machines.
 */
export const MAX_DEFAULT_THREADS = 4;

/** The `--threads` option of the commands that train or measure (`eddy train`, `eddy bench`). */
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
export function threadCount(args: ParsedArgs): number {
  return args.optionalNumber('threads') ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
}
