import { checkOptions, k, optionKeys, type Core } from '../backend.js';
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
  /** ε > 0, default 1e-10. */
  eps?: number;
}

const ADAGRAD_OPTIONS = optionKeys<AdagradOptions>({ lr: true, lrDecay: true, weightDecay: true, initialAccumulatorValue: true, eps: true });

/**
 * Adagrad (Duchi et al. 2011; torch.optim.Adagrad):
 *
 *   γ̃ = γ / (1 + (t − 1)η);  g ← g + λθ;  s ← s + g²;  θ ← θ − γ̃ g / (√s + ε)
 *
 * One fused `adagradUpdate` call per parameter; s starts at `initialAccumulatorValue`.
 */
export class Adagrad extends Optimizer {
  protected readonly type = 'Adagrad';
  lrDecay: number;
  /** Read when a parameter's accumulator is created (its first step). */
  initialAccumulatorValue: number;
  eps: number;

  constructor(params: Params, options: AdagradOptions = {}) {
    checkOptions('Adagrad', options, ADAGRAD_OPTIONS);
    super(params, { lr: options.lr ?? 1e-2, weightDecay: options.weightDecay ?? 0 }, 'Adagrad');
    this.lrDecay = options.lrDecay ?? 0;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.eps = options.eps ?? 1e-10;
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

  protected update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void {
    k.adagradUpdate(core, {
      n: p.size,
      param: p.ptr,
      grad: g.ptr,
      stateSum: this.buffer(p, s, 'sum', this.initialAccumulatorValue).ptr,
      step: s.step,
      lr: group.lr,
      lrDecay: this.lrDecay,
      weightDecay: group.weightDecay,
      eps: this.eps,
    });
  }
}
