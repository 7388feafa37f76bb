// @eddy/cli: the eddy command (see cli.ts for the bin); exported for tests and for embedding it.
export { main, COMMANDS } from './main.js';
export { parseArgs, helpText, type CommandSpec, type OptionSpec, type ParsedArgs } from './options.js';
export { CliError, UsageError, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, type CliErrorCode } from './errors.js';
export { LanguageModel, evaluateIds, type LanguageModelOptions, type LmState, type CellKind } from './model/language-model.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointConfig, type TrainingOptions, type TrainState } from './checkpoint/checkpoint.js';
export type { Io } from './progress.js';
// The canonical workloads W1–W4: `eddy bench` runs them, and the private bench package runs the same
// definitions beside its peers (tfjs-wasm, PyTorch).
export { WORKLOADS, WORKLOAD_NAMES, describeWorkload, median, type Workload, type WorkloadName, type TrainingWorkload, type SamplingWorkload } from './commands/bench/workloads.js';
export { rnnLmTrainer, lstmSampler, workloadCorpus, workloadBatches, workloadDraw, type WorkloadBatches, type LmConfig, type LmTrainer, type StepPhases, type Sampler, type SamplerConfig } from './commands/bench/rnn-lm.js';
export type { BenchResult } from './commands/bench/bench.js';
