import { Generator } from '@eddy/autograd';
import { reason } from '../errors.js';
import type { LmBatcherState } from '@eddy/text';
import type { TrainState } from './checkpoint.js';

// train-state/state.json comes from disk, so nothing in it is trusted: every field is checked here,
// and a bad one is named (`step must be an integer ≥ 0, got -5`). What only the run can check — the
// batcher position against the corpus, the optimizer's hyper-parameters and buffer sizes against its
// parameters — is checked by LmBatcher.setState and Optimizer.loadStateDict, whose errors the resume
// reports the same way.

/** A field of a train-state that is missing or wrong; the message names it. */
export class TrainStateError extends Error {
  constructor(field: string, expected: string, got: unknown) {
    super(`${field} must be ${expected}, got ${show(got)}`);
    this.name = 'TrainStateError';
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text === undefined ? typeof v : text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` as an object, or a TrainStateError naming `field`. */
export function record(field: string, v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new TrainStateError(field, 'an object', v);
  return v;
}

/** `v` as an integer ≥ 0, or a TrainStateError naming `field`. */
export function count(field: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new TrainStateError(field, 'an integer ≥ 0', v);
  return v as number;
}

function generator(field: string, v: unknown): void {
  try {
    new Generator(0).setState(v as never);
  } catch (e) {
    throw new TrainStateError(field, `a random generator state (${reason(e).replace(/^setState: /, '')})`, v);
  }
}

function optimizerV2(v: Record<string, unknown>): void {
  const state = record('optimizer.state', v.state);
  for (const [key, entry] of Object.entries(state)) {
    if (String(Number(key)) !== key || !Number.isSafeInteger(Number(key)) || Number(key) < 0) throw new TrainStateError('optimizer.state', 'keyed by parameter indices 0, 1, …', key);
    const e = record(`optimizer.state.${key}`, entry);
    count(`optimizer.state.${key}.step`, e.step);
    const extra = Object.keys(e).find((k) => k !== 'step');
    if (extra !== undefined) throw new TrainStateError(`optimizer.state.${key}`, '{ step } (its buffers are in tensors.safetensors)', e);
  }
  const groups = v.param_groups;
  if (!Array.isArray(groups) || groups.length === 0) throw new TrainStateError('optimizer.param_groups', 'a non-empty list', groups);
  for (const [i, g] of groups.entries()) {
    const group = record(`optimizer.param_groups.${i}`, g);
    if (!Array.isArray(group.params)) throw new TrainStateError(`optimizer.param_groups.${i}.params`, 'a list of parameter indices', group.params);
    for (const [j, p] of group.params.entries()) count(`optimizer.param_groups.${i}.params.${j}`, p);
  }
}

function optimizerV1(v: Record<string, unknown>): void {
  if (typeof v.type !== 'string') throw new TrainStateError('optimizer.type', 'a name such as "Adam"', v.type);
  record('optimizer.hyper', v.hyper);
  if (!Array.isArray(v.state)) throw new TrainStateError('optimizer.state', 'a list (version 1)', v.state);
  for (const [i, entry] of v.state.entries()) {
    if (entry === null) continue;
    const e = record(`optimizer.state.${i}`, entry);
    count(`optimizer.state.${i}.step`, e.step);
    const buffers = e.buffers;
    if (!Array.isArray(buffers) || buffers.some((b) => typeof b !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(b))) {
      throw new TrainStateError(`optimizer.state.${i}.buffers`, 'a list of buffer names', buffers);
    }
  }
}

/** Checks the `batcher` entry of a language model's train-state: an LmBatcher position. */
export function checkLmBatcher(value: unknown): LmBatcherState {
  const batcher = record('batcher', value);
  for (const key of ['epoch', 'window', 'offset'] as const) count(`batcher.${key}`, batcher[key]);
  generator('batcher.rng', batcher.rng);
  return batcher as unknown as LmBatcherState;
}

/**
 * Checks a parsed train-state/state.json of checkpoint format `version` (config.json's) at
 * `step` (config.json's progress.step), field by field, its `batcher` entry with `checkBatcher`
 * (a language model's by default); throws a TrainStateError naming the first bad one.
 */
export function checkTrainState<B = LmBatcherState>(
  value: unknown, version: number, step: number, checkBatcher: (batcher: unknown) => B = checkLmBatcher as (batcher: unknown) => B,
): TrainState<B> {
  const s = record('the train state', value);
  if (s.version !== version) throw new TrainStateError('version', `${version}, config.json's`, s.version);
  if (count('step', s.step) !== step) throw new TrainStateError('step', `${step}, config.json's progress.step`, s.step);
  count('tokensSeen', s.tokensSeen);
  if (typeof s.elapsedSeconds !== 'number' || !Number.isFinite(s.elapsedSeconds) || s.elapsedSeconds < 0) throw new TrainStateError('elapsedSeconds', 'a number ≥ 0', s.elapsedSeconds);
  generator('rng', s.rng);
  checkBatcher(s.batcher);
  const optimizer = record('optimizer', s.optimizer);
  if (version === 1) optimizerV1(optimizer);
  else optimizerV2(optimizer);
  if (typeof s.hasHidden !== 'boolean') throw new TrainStateError('hasHidden', 'true or false', s.hasHidden);
  return s as unknown as TrainState<B>;
}
