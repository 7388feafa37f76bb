import { checkOptions, optionKeys, rmspropUpdate, type Core } from '../backend.js';
import type { Tensor } from '../tensor.js';
import {
  NON_NEGATIVE, Optimizer, POSITIVE, UNIT_OPEN, checkBool, checkHyper, type HyperValue, type ParamGroup, type ParamState, type Params,
} from './optimizer.js';

export interface RmspropOptions {
  /** γ, default 1e-2. */
  lr?: number;
  /** Smoothing α ∈ [0, 1), default 0.99. */
  alpha?: number;
  /** ε > 0, default 1e-8. */
  eps?: number;
  /** λ ≥ 0, L2 added to the gradient, default 0. */
  weightDecay?: number;
  /** μ ≥ 0, default 0. */
  momentum?: number;
  /** Normalise by the variance estimate v − ḡ² instead of v (Graves 2013), default false. */
  centered?: boolean;
}

const RMSPROP_OPTIONS = optionKeys<RmspropOptions>({ lr: true, alpha: true, eps: true, weightDecay: true, momentum: true, centered: true });

/**
 * RMSprop (Hinton's lecture 6e; torch.optim.RMSprop):
 *
 *   g ← g + λθ;  v ← αv + (1 − α)g²
 *   centred: ḡ ← αḡ + (1 − α)g, ṽ = v − ḡ²;  else ṽ = v
 *   a = √ṽ + ε;  momentum: b ← μb + g/a, θ ← θ − γb;  else θ ← θ − γg/a
 *
 * One fused `rmspropUpdate` call per parameter.
 */
export class RMSprop extends Optimizer {
  protected readonly type = 'RMSprop';
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;

  constructor(params: Params, options: RmspropOptions = {}) {
    checkOptions('RMSprop', options, RMSPROP_OPTIONS);
    super(params, { lr: options.lr ?? 1e-2, weightDecay: options.weightDecay ?? 0 }, 'RMSprop');
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.momentum = options.momentum ?? 0;
    this.centered = options.centered ?? false;
    this.hyper();
  }

  protected hyper(): Record<string, HyperValue> {
    const op = 'RMSprop';
    return {
      alpha: checkHyper(op, 'alpha', this.alpha, UNIT_OPEN),
      eps: checkHyper(op, 'eps', this.eps, POSITIVE),
      momentum: checkHyper(op, 'momentum', this.momentum, NON_NEGATIVE),
      centered: checkBool(op, 'centered', this.centered),
    };
  }

  protected setHyper(h: Record<string, HyperValue>): void {
    this.alpha = h.alpha as number;
    this.eps = h.eps as number;
    this.momentum = h.momentum as number;
    this.centered = h.centered as boolean;
  }

  protected update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void {
    rmspropUpdate(core, {
      n: p.size,
      param: p.ptr,
      grad: g.ptr,
      squareAvg: this.buffer(p, s, 'squareAvg').ptr,
      gradAvg: this.centered ? this.buffer(p, s, 'gradAvg').ptr : undefined,
      momentumBuffer: this.momentum > 0 ? this.buffer(p, s, 'momentumBuffer').ptr : undefined,
      lr: group.lr,
      alpha: this.alpha,
      eps: this.eps,
      weightDecay: group.weightDecay,
      momentum: this.momentum,
    });
  }
}
