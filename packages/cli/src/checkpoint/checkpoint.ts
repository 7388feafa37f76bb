import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tensor, type GeneratorState, type optim, type Tensor } from '@eddy/autograd';
import { snakeCase } from '@eddy/autograd/internal';
import { LanguageModel, loadSafetensors, Module, saveSafetensors, type ModuleConfig } from '@eddy/models';
import { tokenizerFromConfig, type LmBatcherState, type Tokenizer } from '@eddy/text';
import { CliError, reason } from '../errors.js';
import { replaceDirectory, resolveCheckpointDir, type FileContent } from './atomic-dir.js';
import { checkLmBatcher, checkTrainState, TrainStateError } from './train-state.js';

// A checkpoint directory:
//   config.json            format + version, model config, tokenizer type, training options, progress
//   model.safetensors      the state dict, PyTorch names (encoder.weight, rnn.weight_ih_l0, decoder.*)
//   vocab.json             the tokenizer's config (its vocabulary; BPE merges; word options)
//   train-state/state.json        step, RNG, batcher position, the optimizer's state dict without its buffers
//                                 (PyTorch's { state: { i: { step } }, param_groups })
//   train-state/tensors.safetensors  optimizer buffers (optimizer.state.<i>.<name>, PyTorch's buffer names) and
//                                 the carried hidden state (hidden.h, hidden.c)
//   best/                  config.json, model.safetensors, vocab.json of the best validation loss so far
//                          (the latest model while none has been validated)

export const CHECKPOINT_FORMAT = 'eddy-checkpoint';
/**
 * Bumped whenever a reader of the previous version would misread the files. Version 2 stores the
 * optimizer in PyTorch's state-dict layout; version 1 checkpoints (optimizer `{ type, hyper, state }`,
 * buffers `optimizer.<i>.<camelName>`) are still read.
 */
export const CHECKPOINT_VERSION = 2;
/** The versions this eddy reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** The options every training command shares: tokenizer, batch, the run's bounds and its optimisation. */
export interface CommonTrainingOptions {
  tokenizer: 'char' | 'word' | 'bpe';
  vocabSize: number | null;
  batch: number;
  steps: number | null;
  epochs: number | null;
  time: number | null;
  optimizer: 'adam' | 'rmsprop' | 'sgd' | 'adagrad';
  lr: number;
  lrDecay: number;
  clip: number;
  seed: number;
  /** Trained on the relaxed-SIMD core (`--fast`); absent in checkpoints written before the option. */
  fast?: boolean;
}

/** The training options a run was started with (kept in config.json; `--resume` reads them back). */
export interface TrainingOptions extends CommonTrainingOptions {
  corpus: { path: string | null; label: string; sha256: string };
  seqLen: number;
  bptt: number;
  valFraction: number;
  evalEvery: number;
  seed: number;
}

/** Where training stood when the checkpoint was written. */
export interface Progress {
  step: number;
  epoch: number;
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  bestStep: number | null;
}

/**
 * config.json. `Training` and `P` are a command family's own (a language model's by default; the
 * classifier's in commands/classify); `progress.step` is what the train-state is checked against.
 */
export interface CheckpointConfig<Training = TrainingOptions, P extends { step: number } = Progress> {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: ModuleConfig;
  tokenizer: Tokenizer['type'];
  training: Training;
  progress: P;
}

/** What `--resume` needs beyond the weights (JSON part; the tensors are in tensors.safetensors). */
export interface TrainState<Batcher = LmBatcherState> {
  version: number;
  step: number;
  tokensSeen: number;
  elapsedSeconds: number;
  rng: GeneratorState;
  batcher: Batcher;
  /** Version 2: the optimizer's state dict without its buffers; version 1: `{ type, hyper, state: [{ step, buffers: names }] }`. */
  optimizer: OptimizerJson | OptimizerJsonV1;
  hasHidden: boolean;
}

/** An optimizer state dict with its buffers moved out to tensors.safetensors. */
export interface OptimizerJson {
  state: Record<string, { step: number }>;
  param_groups: optim.ParamGroupStateDict[];
}

/** The optimizer entry of a version-1 train-state. */
export interface OptimizerJsonV1 {
  type: string;
  hyper: Record<string, unknown>;
  state: Array<{ step: number; buffers: string[] } | null>;
}

/** Splits an optimizer state dict into JSON and named buffers (`optimizer.state.<i>.<name>`). */
export function optimizerToFiles(dict: optim.OptimizerStateDict): { json: OptimizerJson; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  const state: OptimizerJson['state'] = {};
  for (const [i, entry] of Object.entries(dict.state)) {
    state[i] = { step: entry.step };
    for (const [name, data] of Object.entries(entry)) if (data instanceof Float32Array) tensors[`optimizer.state.${i}.${name}`] = { data, shape: [data.length] };
  }
  return { json: { state, param_groups: dict.param_groups }, tensors };
}

/**
 * The optimizer state dict from a train-state's JSON and buffers, version 2 or 1 (converted: its
 * camelCase hyper-parameters and buffer names become PyTorch's). Throws a plain Error naming what
 * is missing; `loadStateDict` then checks the rest.
 */
export function optimizerFromFiles(json: OptimizerJson | OptimizerJsonV1, tensors: Record<string, Float32Array>): optim.OptimizerStateDict {
  if (json === null || typeof json !== 'object' || json.state === null || typeof json.state !== 'object') throw new Error('the optimizer state is not an object');
  const state: optim.OptimizerStateDict['state'] = {};
  if ('type' in json) {
    if (!Array.isArray(json.state) || json.hyper === null || typeof json.hyper !== 'object') throw new Error('the optimizer state is not a list');
    const count = json.state.length;
    for (const [i, s] of json.state.entries()) {
      if (s === null) continue;
      if (!Array.isArray(s.buffers)) throw new Error(`optimizer state ${i} has no buffer list`);
      const entry: optim.ParamStateDict = { step: s.step };
      for (const name of s.buffers) {
        const data = tensors[`optimizer.${i}.${name}`];
        if (data === undefined) throw new Error(`optimizer buffer ${i}.${name} is missing`);
        entry[snakeCase(name)] = data;
      }
      state[i] = entry;
    }
    const group = Object.fromEntries(Object.entries(json.hyper).map(([k, v]) => [snakeCase(k), v]));
    return { state, param_groups: [{ ...group, params: Array.from({ length: count }, (_, i) => i) } as optim.ParamGroupStateDict] };
  }
  if (!Array.isArray(json.param_groups)) throw new Error('the optimizer has no param_groups');
  for (const [i, s] of Object.entries(json.state)) {
    const entry: optim.ParamStateDict = { step: s?.step };
    const prefix = `optimizer.state.${i}.`;
    for (const [name, data] of Object.entries(tensors)) if (name.startsWith(prefix)) entry[name.slice(prefix.length)] = data;
    state[Number(i)] = entry;
  }
  return { state, param_groups: json.param_groups };
}

/** Everything one checkpoint write needs. */
export interface CheckpointParts {
  config: CheckpointConfig<unknown, { step: number; bestStep: number | null }>;
  model: Module;
  /** The weights best/ takes when it is written (--average-epochs: their mean); absent: `model`'s. */
  bestModel?: Module;
  tokenizer: Tokenizer;
  trainState: TrainState<unknown>;
  /** Float32 buffers by name (optimizer.<i>.<buffer>, hidden.h, hidden.c, average.<j>.<parameter>), written to tensors.safetensors. */
  trainTensors: Record<string, { data: Float32Array; shape: number[] }>;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

function safetensorsOf(make: () => Record<string, Tensor>, owned: boolean): () => Uint8Array {
  return () => {
    const dict = make();
    try {
      return saveSafetensors(dict, { format: 'pt' });
    } finally {
      if (owned) for (const t of Object.values(dict)) t.dispose();
    }
  };
}

function modelFiles(parts: CheckpointParts, prefix: string, model: Module): Array<[string, FileContent]> {
  return [
    [`${prefix}config.json`, json(parts.config)],
    [`${prefix}model.safetensors`, safetensorsOf(() => model.stateDict(), false)],
    [`${prefix}vocab.json`, json(parts.tokenizer.toConfig())],
  ];
}

/**
 * Writes checkpoint `dir` atomically (see `replaceDirectory`). With `best` (the validation loss
 * improved), or while the run has no validated best (`progress.bestStep` null: before its first
 * evaluation, or with no validation split), the same model also becomes `best/`; otherwise the
 * `best/` of `bestFrom` is kept — `dir` itself, or the checkpoint a run resumed from when it writes
 * elsewhere — so that `best/` always belongs to the run in `dir`.
 */
export function writeCheckpoint(dir: string, parts: CheckpointParts, best: boolean, bestFrom: string = dir): void {
  const files = new Map<string, FileContent>(modelFiles(parts, '', parts.model));
  files.set('train-state/state.json', json(parts.trainState));
  files.set(
    'train-state/tensors.safetensors',
    safetensorsOf(() => Object.fromEntries(Object.entries(parts.trainTensors).map(([k, v]) => [k, tensor(v.data, v.shape)])), true),
  );
  if (best || parts.config.progress.bestStep === null) for (const [name, content] of modelFiles(parts, 'best/', parts.bestModel ?? parts.model)) files.set(name, content);
  replaceDirectory(dir, files, ['best'], bestFrom);
}

/** A checkpoint read back: config, model (weights loaded), tokenizer, and the training state when asked for. */
export interface LoadedCheckpoint<M extends Module = LanguageModel, C extends CheckpointConfig<unknown, { step: number }> = CheckpointConfig, B = LmBatcherState> {
  dir: string;
  config: C;
  model: M;
  tokenizer: Tokenizer;
  trainState?: TrainState<B>;
  trainTensors?: Record<string, Float32Array>;
}

/**
 * What one command family keeps in its checkpoints: the model class (config.json's model entry
 * must build one), how messages name it and the command that trains it, its vocabulary size (the
 * tokenizer's must match), and how its train-state's batcher position is checked.
 */
export interface CheckpointKind<M extends Module, B> {
  model: abstract new (...args: never[]) => M;
  /** `a language model`. */
  what: string;
  /** `eddy train`. */
  trainCommand: string;
  vocabSize(model: M): number;
  /** Checks train-state's `batcher` entry; throws a TrainStateError naming a bad field. */
  checkBatcher(batcher: unknown): B;
}

/** The checkpoints of `eddy train` (and what sample, eval and export read). */
export const LANGUAGE_MODEL_CHECKPOINT: CheckpointKind<LanguageModel, LmBatcherState> = {
  model: LanguageModel,
  what: 'a language model',
  trainCommand: 'eddy train',
  vocabSize: (m) => m.vocabSize,
  checkBatcher: checkLmBatcher,
};

function corrupt(dir: string, file: string, why: string): CliError {
  return new CliError(`${join(dir, file)} is corrupt (${why}); retrain, or restore the checkpoint directory from a copy.`);
}

function readBytes(dir: string, file: string, trainCommand = 'eddy train'): Buffer {
  try {
    return readFileSync(join(dir, file));
  } catch {
    throw new CliError(`${dir} has no ${file}, so it is not a complete Eddy checkpoint; give the --out directory of a finished ${trainCommand} run.`);
  }
}

function readJson(dir: string, file: string, trainCommand?: string): unknown {
  const text = readBytes(dir, file, trainCommand).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(dir, file, 'not valid JSON');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks config.json: an Eddy checkpoint of a version this eddy reads. */
function readConfig(dir: string, trainCommand = 'eddy train'): CheckpointConfig {
  const config = readJson(dir, 'config.json', trainCommand);
  if (!isObject(config) || config.format !== CHECKPOINT_FORMAT) {
    throw new CliError(`${dir} is not an Eddy checkpoint (its config.json has no "format": "${CHECKPOINT_FORMAT}"); give the --out directory of ${trainCommand}.`);
  }
  if (!READABLE_VERSIONS.includes(config.version as number)) {
    throw new CliError(
      `${dir} was written in checkpoint format version ${JSON.stringify(config.version)} but this eddy reads versions ${READABLE_VERSIONS.join(' and ')}; retrain with this eddy, or use the eddy version that wrote it.`,
    );
  }
  if (!isObject(config.model) || !isObject(config.training) || !isObject(config.progress) || typeof config.tokenizer !== 'string') {
    throw corrupt(dir, 'config.json', 'the model, tokenizer, training or progress entry is missing');
  }
  return config as unknown as CheckpointConfig;
}

/** Loads safetensors as float32 arrays (tensors disposed). */
function readTensors(dir: string, file: string, trainCommand?: string): Record<string, Tensor> {
  try {
    return loadSafetensors(readBytes(dir, file, trainCommand));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw corrupt(dir, file, reason(e));
  }
}

/** The checkpoint directory `dirGiven` names (or its `.eddy-old` twin), or one CliError sentence. */
function existingCheckpointDir(dirGiven: string, trainCommand = 'eddy train'): string {
  const dir = resolveCheckpointDir(dirGiven);
  if (dir === null) throw new CliError(`the checkpoint directory ${dirGiven} does not exist; train one first with ${trainCommand} --out ${dirGiven}.`);
  if (!statSync(dir).isDirectory()) throw new CliError(`${dirGiven} is a file, not a checkpoint directory; give the --out directory of ${trainCommand}.`);
  return dir;
}

/** The training options saved in a checkpoint's config.json (checked as `readCheckpoint` checks them). */
export function readTrainingOptions<Training = TrainingOptions>(dirGiven: string, trainCommand?: string): Training {
  return readConfig(existingCheckpointDir(dirGiven, trainCommand), trainCommand).training as Training;
}

/**
 * Reads checkpoint `dir` (or its `.eddy-old` twin after a crash mid-swap), checking every file:
 * a missing directory, a missing or corrupt file, a foreign or newer format, a model of another
 * kind than `options.kind` (default: a language model) each end in one CliError sentence.
 */
export function readCheckpoint(dirGiven: string, options?: { trainState?: boolean }): LoadedCheckpoint;
export function readCheckpoint<M extends Module, C extends CheckpointConfig<unknown, { step: number }>, B>(
  dirGiven: string, options: { trainState?: boolean; kind: CheckpointKind<M, B> },
): LoadedCheckpoint<M, C, B>;
export function readCheckpoint(
  dirGiven: string, options: { trainState?: boolean; kind?: CheckpointKind<Module, unknown> } = {},
): LoadedCheckpoint<Module, CheckpointConfig<unknown, { step: number }>, unknown> {
  const kind = options.kind ?? (LANGUAGE_MODEL_CHECKPOINT as unknown as CheckpointKind<Module, unknown>);
  const dir = existingCheckpointDir(dirGiven, kind.trainCommand);
  const config = readConfig(dir, kind.trainCommand);

  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromConfig(readJson(dir, 'vocab.json', kind.trainCommand));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw corrupt(dir, 'vocab.json', reason(e));
  }

  let built: Module;
  try {
    // No initial weights are drawn: the (strict) state dict below replaces every parameter.
    built = Module.fromConfig(config.model, { init: false });
  } catch (e) {
    throw corrupt(dir, 'config.json', `model entry: ${reason(e)}`);
  }
  // (The static type of `built` is Module already, so TypeScript would narrow a plain instanceof to never.)
  if (!(built instanceof (kind.model as abstract new (...args: never[]) => object))) {
    built.dispose();
    throw new CliError(`${dir} holds a ${String(config.model.type)} model, not ${kind.what}; give the --out directory of ${kind.trainCommand}.`);
  }
  const model = built;
  if (kind.vocabSize(model) !== tokenizer.vocab.size) {
    model.dispose();
    throw corrupt(dir, 'vocab.json', `${tokenizer.vocab.size} tokens but the model was built for ${kind.vocabSize(model)}`);
  }
  const weights = readTensors(dir, 'model.safetensors', kind.trainCommand);
  try {
    model.loadStateDict(weights);
  } catch (e) {
    model.dispose();
    throw corrupt(dir, 'model.safetensors', reason(e));
  } finally {
    for (const t of Object.values(weights)) t.dispose();
  }

  const loaded: LoadedCheckpoint<Module, CheckpointConfig<unknown, { step: number }>, unknown> = { dir, config, model, tokenizer };
  if (options.trainState) {
    try {
      const state = readJson(dir, 'train-state/state.json', kind.trainCommand);
      try {
        loaded.trainState = checkTrainState(state, config.version, config.progress.step, kind.checkBatcher);
      } catch (e) {
        if (e instanceof TrainStateError) throw corrupt(dir, 'train-state/state.json', e.message);
        throw e;
      }
      const tensors = readTensors(dir, 'train-state/tensors.safetensors', kind.trainCommand);
      loaded.trainTensors = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.toFloat32Array()]));
      for (const t of Object.values(tensors)) t.dispose();
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return loaded;
}

/** The model predict and eval use: `dirGiven/best/` (the best validated one) when it exists, else `dirGiven`. */
export function bestCheckpointDir(dirGiven: string): string {
  const dir = resolveCheckpointDir(dirGiven);
  const best = dir === null ? null : join(dir, 'best');
  return best !== null && existsSync(join(best, 'config.json')) ? best : dirGiven;
}
