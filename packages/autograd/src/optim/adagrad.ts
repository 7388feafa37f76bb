import { adagradUpdate, boolOption, checkOptions, embeddingGather, optionKeys, type Core } from '../backend.js';
import type { GradRows } from '../grad-rows.js';
import type { Tensor } from '../tensor.js';
import { NON_NEGATIVE, Optimizer, POSITIVE, checkHyper, type HyperValue, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface AdagradOptions {
  /** γ, default 1e-2. */
  lr?: number;
  /** η ≥ 0, default 0. */
  lrDecay?: number;
  /** λ ≥ 0, L2 added to the gradient, default 0. */
  weightDecay?: number;
  /** Initial value of the accumulator s, ≥ 0, default 0. */
  initialAccumulatorValue?: number;
  /** ε > 0, default 1e-10 (PyTorch's; CoreNLP's RNTN training uses 1e-3). */
  eps?: number;
  /**
   * Weight decay on the looked-up rows only of a row-sparse gradient (an `Embedding`'s weight):
   * the other rows keep θ and s. CoreNLP regularises only the word vectors of a batch's words.
   * Default false: every row decays.
   */
  lazyWeightDecay?: boolean;
}

const ADAGRAD_OPTIONS = optionKeys<AdagradOptions>({ lr: true, lrDecay: true, weightDecay: true, initialAccumulatorValue: true, eps: true, lazyWeightDecay: true });

/**
 * Adagrad (Duchi et al. 2011; torch.optim.Adagrad):
 *
 *   γ̃ = γ / (1 + (t − 1)η);  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃ g / (√s + ε)
 *
 * One fused `adagradUpdate` call per parameter; s starts at `initialAccumulatorValue`.
 *
 * Weight decay is L2 regularisation exactly: λ per parameter group adds λθ to the gradient before
 * it enters s, which is the gradient of (λ/2)‖θ‖² added to the loss — CoreNLP's sentiment
 * regulariser (regTransformMatrix, regClassification, regWordVector …: one λ per parameter group).
 * (CoreNLP leaves out the word vectors of words absent from the batch; a dense λ here decays every
 * row unless `lazyWeightDecay`.) A parameter whose gradient came only from row lookups (an `Embedding`'s weight) in a group
 * without weight decay is updated on the looked-up rows only, as PyTorch's sparse Adagrad: the
 * other rows' θ and s stay as they are, which is also what the dense update gives them (bit for
 * bit), only without visiting all V rows; with λ > 0 the update stays dense. CoreNLP's RNTN training also resets the accumulators at the start of every epoch
 * (`adagradResetFrequency` 1): call {@link Adagrad.resetAccumulators} between epochs.
 *
 * @example
 * const opt = new Adagrad([{ params: model.W.parameters(), weightDecay: 1e-3 }, { params: [model.embedding.weight], weightDecay: 1e-4 }], { lr: 0.01 });
 * // … each epoch: opt.resetAccumulators() before its first step
 */
export class Adagrad extends Optimizer {
  protected readonly type = 'Adagrad';
  lrDecay: number;
  /** Read when a parameter's accumulator is created (its first step). */
  initialAccumulatorValue: number;
  eps: number;
  /** Set at construction; not a hyper-parameter of the state dict (PyTorch's Adagrad has none). */
  readonly lazyWeightDecay: boolean;

  constructor(params: Params, options: AdagradOptions = {}) {
    checkOptions('Adagrad', options, ADAGRAD_OPTIONS);
    super(params, { lr: options.lr ?? 1e-2, weightDecay: options.weightDecay ?? 0 }, 'Adagrad');
    this.lrDecay = options.lrDecay ?? 0;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.eps = options.eps ?? 1e-10;
    this.lazyWeightDecay = boolOption('Adagrad', 'lazyWeightDecay', options.lazyWeightDecay, false);
    this.hyper();
  }

  protected hyper(): Record<string, HyperValue> {
    const op = 'Adagrad';
    return {
      lrDecay: checkHyper(op, 'lrDecay', this.lrDecay, NON_NEGATIVE),
      initialAccumulatorValue: checkHyper(op, 'initialAccumulatorValue', this.initialAccumulatorValue, NON_NEGATIVE),
      eps: checkHyper(op, 'eps', this.eps, POSITIVE),
    };
  }

  protected setHyper(h: Record<string, HyperValue>): void {
    this.lrDecay = h.lrDecay as number;
    this.initialAccumulatorValue = h.initialAccumulatorValue as number;
    this.eps = h.eps as number;
  }

  /**
   * Sets every accumulator s back to `initialAccumulatorValue` (CoreNLP resets AdaGrad's sums at
   * the start of each epoch). Step counts are kept, so `lrDecay` goes on from where it was;
   * parameters that have not stepped yet have no accumulator and are left so.
   */
  resetAccumulators(): void {
    this.hyper();
    for (const [i, s] of this.state.entries()) {
      const ptr = s?.buffers.sum;
      if (ptr === undefined) continue;
      const p = this.params[i];
      p.core.arena.f32.fill(this.initialAccumulatorValue, ptr >>> 2, (ptr >>> 2) + p.size);
    }
  }

  protected sparseWithDecay(): boolean {
    return this.lazyWeightDecay;
  }

  protected update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void {
    this.updateRange(core, p.ptr, g.ptr, this.buffer(p, s, 'sum', this.initialAccumulatorValue).ptr, s, group, p.size);
  }

  // A row-sparse gradient (an embedding's, no weight decay): the rows it touched only; every other
  // row would keep θ and s exactly (PyTorch's sparse Adagrad, which also refuses weight decay). The
  // touched rows of θ, g and s are gathered side by side into scratch, stepped by one kernel call
  // and θ and s copied back: the update is elementwise with every operation exactly rounded (no
  // FMA), so the bits are the dense update's; one call per row would cost more in argument checks
  // than in arithmetic.
  protected updateRows(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup, rows: GradRows): void {
    const w = rows.width, count = rows.count, n = count * w, list = rows.list;
    if (n === 0) return;
    const sum = this.buffer(p, s, 'sum', this.initialAccumulatorValue).ptr;
    const arena = core.arena;
    const ids = arena.alloc(4 * count), block = arena.alloc(3 * n * 4);
    arena.i32.set(list.subarray(0, count), ids >>> 2);
    const v = p.shape[0];
    embeddingGather(core, { n: count, v, d: w, ids, table: p.ptr, out: block });
    embeddingGather(core, { n: count, v, d: w, ids, table: g.ptr, out: block + 4 * n });
    embeddingGather(core, { n: count, v, d: w, ids, table: sum, out: block + 8 * n });
    this.updateRange(core, block, block + 4 * n, block + 8 * n, s, group, n);
    const f32 = arena.f32, at = block >>> 2, pp = p.ptr >>> 2, ps = sum >>> 2;
    for (let i = 0; i < count; i++) {
      const r = list[i] * w, o = at + i * w;
      f32.copyWithin(pp + r, o, o + w);
      f32.copyWithin(ps + r, o + 2 * n, o + 2 * n + w);
    }
    arena.free(block);
    arena.free(ids);
  }

  /** The Adagrad step of n elements: parameter, gradient and accumulator at the byte offsets given. */
  private updateRange(core: Core, param: number, grad: number, stateSum: number, s: ParamState, group: ParamGroup, n: number): void {
    adagradUpdate(core, { n, param, grad, stateSum, step: s.step, lr: group.lr, lrDecay: this.lrDecay, weightDecay: group.weightDecay, eps: this.eps });
  }
}
