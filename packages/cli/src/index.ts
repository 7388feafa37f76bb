// @eddy/cli: the eddy command (see cli.ts for the bin); exported for tests and for embedding it.
export { main, COMMANDS } from './main.js';
export { parseArgs, helpText, type CommandSpec, type OptionSpec, type ParsedArgs } from './options.js';
export { CliError, UsageError, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, type CliErrorCode } from './errors.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointConfig, type TrainingOptions, type TrainState } from './checkpoint/checkpoint.js';
export type { Io } from './progress.js';
export type { BenchResult } from './commands/bench/bench.js';
