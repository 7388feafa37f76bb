import { Generator, type GeneratorState } from '@eddy/autograd';
import { boolOption, checkInt, checkObject, checkOptions, describe, fail, optionKeys, readingFile } from '../errors.js';

/** Options of an {@link LmBatcher}. */
export interface LmBatcherOptions {
  /** B: number of parallel streams (the batch size). */
  batchSize: number;
  /** k1: forward steps per window. */
  seqLen: number;
  /** k2 ≤ k1: steps at the end of each window that gradients flow through (default k1). */
  bptt?: number;
  /** Shift each epoch's streams by a random r ∈ [0, k1) ids, so windows cut the text differently every epoch (default false). */
  randomOffset?: boolean;
  /** Seed of the batcher's own generator (used only by `randomOffset`; default 0). */
  seed?: number | bigint;
  /** Skip the last window of an epoch when it is shorter than k1 (default false: it has T < k1 steps). */
  dropLast?: boolean;
}

const LM_BATCHER_OPTIONS = optionKeys<LmBatcherOptions>({ batchSize: true, seqLen: true, bptt: true, randomOffset: true, seed: true, dropLast: true });

/**
 * One truncated-BPTT window: T steps of B streams, time-major.
 *
 * `inputs[t·B + b]` is the id at step t of stream b and `targets[t·B + b]` the id that follows it
 * (the next input of the same stream). As tensors: `tensor(w.inputs, [w.steps, w.batchSize],
 * { dtype: 'int32' })` feeds an `Embedding` and then a time-major (`batchFirst: false`) RNN.
 */
export interface LmWindow {
  /** Ids, shape [T, B] time-major. */
  inputs: Int32Array;
  /** Next ids, shape [T, B]: targets[t] = inputs[t + 1] within the stream. */
  targets: Int32Array;
  /** T: steps in this window (k1, or fewer in the last window of an epoch). */
  steps: number;
  /** B. */
  batchSize: number;
  /**
   * d = T − min(k2, T): steps [0, d) are warm-up, steps [d, T) carry gradients. The consumer runs
   * the RNN over inputs[0:d] without recording (`noGrad`), detaches the state, runs inputs[d:T]
   * with gradients and takes the loss on targets[d:T] only. With k2 = k1 (the default) d = 0.
   */
  detachAt: number;
  /** True on the first window of every epoch: start from a zero hidden state. */
  reset: boolean;
  /** Epoch this window belongs to (0, 1, …). */
  epoch: number;
  /** Position of this window in its epoch (0 … windowsInEpoch − 1). */
  index: number;
  /** Number of windows in this epoch. */
  windowsInEpoch: number;
}

/** Where an {@link LmBatcher} is: JSON-safe, for checkpoints. */
export interface LmBatcherState {
  /** Epoch of the next window. */
  epoch: number;
  /** Index of the next window in that epoch. */
  window: number;
  /** That epoch's random offset r. */
  offset: number;
  /** The batcher's generator, after drawing r. */
  rng: GeneratorState;
}

/**
 * Language-model batches for truncated backpropagation through time, as in Zaremba et al. (2014)
 * and PyTorch's word_language_model: the corpus of N ids (shifted by r, see `randomOffset`) is
 * trimmed to B·L ids with L = ⌊(N − r)/B⌋ and cut into B contiguous streams, stream b holding ids
 * [r + b·L, r + (b+1)·L). Window j covers steps t = j·k1 … min((j+1)·k1, L − 1) − 1 of every stream:
 *
 *   inputs[t, b] = stream_b[j·k1 + t],   targets[t, b] = stream_b[j·k1 + t + 1]
 *
 * so an epoch has ⌈(L − 1)/k1⌉ windows (⌊(L − 1)/k1⌋ with `dropLast`) and every id but the first
 * of each stream is a target exactly once.
 *
 * The contract with a training loop (the `eddy train` command):
 * - Windows of one epoch continue each other: stream b of window j+1 starts where stream b of
 *   window j ended, so the final hidden state of window j is the initial state of window j+1.
 *   Carry it across windows and `detach` it (the batcher deals in ids; it never sees the state).
 * - `reset` is true on the first window of each epoch: use a zero state there (streams restart,
 *   and with `randomOffset` they shift).
 * - Gradients flow through the last k2 steps only: see {@link LmWindow.detachAt}.
 * - `next()` never ends; it moves to the next epoch by itself. `getState()` after any window and
 *   `setState()` on a fresh batcher over the same ids and options give the same windows from there.
 *
 * @example
 * const batcher = new LmBatcher(train, { batchSize: 50, seqLen: 50 });
 * for (let step = 0; step < steps; step++) {
 *   const w = batcher.next();
 *   if (w.reset) state = zeroState();
 *   const x = tensor(w.inputs, [w.steps, w.batchSize], { dtype: 'int32' });
 *   // … forward from `state`, loss on w.targets, backward, step; state = detach(final state)
 * }
 */
export class LmBatcher {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly bptt: number;
  readonly randomOffset: boolean;
  readonly dropLast: boolean;
  private readonly ids: Int32Array;
  private readonly rng: Generator;
  private readonly maxOffset: number;
  private epoch = 0;
  private window = 0;
  private offset = 0;

  constructor(ids: Int32Array, options: LmBatcherOptions) {
    const where = 'LmBatcher';
    if (!(ids instanceof Int32Array)) throw fail('E_ARGUMENT', `${where}: ids must be an Int32Array, got ${describe(ids)}`);
    const o = checkOptions(where, options, LM_BATCHER_OPTIONS);
    this.ids = ids;
    this.batchSize = checkInt(where, 'batchSize', o.batchSize, 1);
    this.seqLen = checkInt(where, 'seqLen', o.seqLen, 1);
    this.bptt = checkInt(where, 'bptt (k2)', o.bptt ?? this.seqLen, 1, this.seqLen);
    this.randomOffset = boolOption(where, 'randomOffset', o.randomOffset, false);
    this.dropLast = boolOption(where, 'dropLast', o.dropLast, false);
    this.rng = new Generator(options.seed ?? 0);
    // Every stream needs ≥ 2 ids (an input and its target), and with dropLast ≥ k1 + 1.
    const perStream = this.dropLast ? this.seqLen + 1 : 2;
    const need = this.batchSize * perStream;
    if (ids.length < need) {
      throw fail('E_ARGUMENT', `${where}: a corpus of ${ids.length} tokens is too small for batchSize ${this.batchSize} and seqLen ${this.seqLen}; need at least ${need} tokens (use a smaller batch or more text)`);
    }
    this.maxOffset = this.randomOffset ? Math.min(this.seqLen - 1, ids.length - need) : 0;
    this.startEpoch(0);
  }

  /** Stream length L of the current epoch. */
  private get streamLength(): number {
    return Math.floor((this.ids.length - this.offset) / this.batchSize);
  }

  /** Number of windows in the current epoch (varies by at most one between epochs with `randomOffset`). */
  get windowsInEpoch(): number {
    return this.windowCount(this.offset);
  }

  private windowCount(offset: number): number {
    const steps = Math.floor((this.ids.length - offset) / this.batchSize) - 1;
    return this.dropLast ? Math.floor(steps / this.seqLen) : Math.ceil(steps / this.seqLen);
  }

  private startEpoch(epoch: number): void {
    this.epoch = epoch;
    this.window = 0;
    this.offset = this.maxOffset > 0 ? this.rng.nextInt(this.maxOffset + 1) : 0;
  }

  /** The next window (moving to the next epoch after the last one). */
  next(): LmWindow {
    if (this.window >= this.windowsInEpoch) this.startEpoch(this.epoch + 1);
    const B = this.batchSize;
    const L = this.streamLength;
    const start = this.window * this.seqLen;
    const T = Math.min(this.seqLen, L - 1 - start);
    const inputs = new Int32Array(T * B);
    const targets = new Int32Array(T * B);
    for (let b = 0; b < B; b++) {
      const base = this.offset + b * L + start;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = this.ids[base + t];
        targets[t * B + b] = this.ids[base + t + 1];
      }
    }
    const w: LmWindow = {
      inputs,
      targets,
      steps: T,
      batchSize: B,
      detachAt: T - Math.min(this.bptt, T),
      reset: this.window === 0,
      epoch: this.epoch,
      index: this.window,
      windowsInEpoch: this.windowsInEpoch,
    };
    this.window++;
    return w;
  }

  /** The remaining windows of the current epoch (all of them on a fresh batcher): one evaluation pass. */
  *epochWindows(): IterableIterator<LmWindow> {
    if (this.window >= this.windowsInEpoch) this.startEpoch(this.epoch + 1);
    const epoch = this.epoch;
    while (this.epoch === epoch && this.window < this.windowsInEpoch) yield this.next();
  }

  /** Where the batcher is (JSON-safe). */
  getState(): LmBatcherState {
    return { epoch: this.epoch, window: this.window, offset: this.offset, rng: this.rng.getState() };
  }

  /** Continues from a `getState()` of a batcher over the same ids and options; malformed states throw `E_FORMAT`. */
  setState(state: LmBatcherState): void {
    readingFile(() => this.restore(state));
  }

  private restore(state: LmBatcherState): void {
    const where = 'LmBatcher.setState';
    const s = checkObject(where, 'state', state);
    const epoch = checkInt(where, 'epoch', s.epoch, 0);
    const offset = checkInt(where, 'offset', s.offset, 0, this.maxOffset);
    const rng = new Generator(0).setState(s.rng as GeneratorState);
    this.window = checkInt(where, 'window', s.window, 0, this.windowCount(offset));
    this.epoch = epoch;
    this.offset = offset;
    this.rng.setState(rng.getState());
  }
}
