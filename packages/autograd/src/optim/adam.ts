import { adamUpdate, adamwUpdate, checkOptions, fail, optionKeys, type Core } from '../backend.js';
import type { Tensor } from '../tensor.js';
import {
  NON_NEGATIVE, Optimizer, POSITIVE, UNIT_OPEN, checkBool, checkHyper, show, type HyperValue, type ParamGroup, type ParamState, type Params,
} from './optimizer.js';

export interface AdamOptions {
  /** γ, default 1e-3. */
  lr?: number;
  /** (β₁, β₂), each in [0, 1), default (0.9, 0.999). */
  betas?: readonly [number, number];
  /** ε > 0, default 1e-8. */
  eps?: number;
  /** λ ≥ 0: L2 added to the gradient for Adam (default 0), decoupled decay for AdamW (default 1e-2). */
  weightDecay?: number;
  /** Keep the running maximum of v̂ (Reddi et al. 2018), default false. */
  amsgrad?: boolean;
}

const ADAM_OPTIONS = optionKeys<AdamOptions>({ lr: true, betas: true, eps: true, weightDecay: true, amsgrad: true });

/** Adam and AdamW differ only in how weight decay enters, so they share everything else. */
abstract class AdamBase extends Optimizer {
  betas: readonly [number, number];
  eps: number;
  amsgrad: boolean;
  private readonly decoupled: boolean;

  protected constructor(params: Params, options: AdamOptions, op: string, decoupled: boolean) {
    checkOptions(op, options, ADAM_OPTIONS);
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? (decoupled ? 1e-2 : 0) }, op);
    this.decoupled = decoupled;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.amsgrad = options.amsgrad ?? false;
  }

  protected hyper(): Record<string, HyperValue> {
    const op = this.type;
    if (!Array.isArray(this.betas) || this.betas.length !== 2) {
      throw fail('E_ARGUMENT', `${op}: betas must be a pair [beta1, beta2], got ${show(this.betas)}`);
    }
    return {
      betas: [checkHyper(op, 'betas[0]', this.betas[0], UNIT_OPEN), checkHyper(op, 'betas[1]', this.betas[1], UNIT_OPEN)],
      eps: checkHyper(op, 'eps', this.eps, POSITIVE),
      amsgrad: checkBool(op, 'amsgrad', this.amsgrad),
    };
  }

  protected setHyper(h: Record<string, HyperValue>): void {
    this.betas = [...(h.betas as [number, number])];
    this.eps = h.eps as number;
    this.amsgrad = h.amsgrad as boolean;
  }

  protected update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void {
    const args = {
      n: p.size,
      param: p.ptr,
      grad: g.ptr,
      expAvg: this.buffer(p, s, 'expAvg').ptr,
      expAvgSq: this.buffer(p, s, 'expAvgSq').ptr,
      maxExpAvgSq: this.amsgrad ? this.buffer(p, s, 'maxExpAvgSq').ptr : undefined,
      step: s.step,
      lr: group.lr,
      beta1: this.betas[0],
      beta2: this.betas[1],
      eps: this.eps,
      weightDecay: group.weightDecay,
    };
    if (this.decoupled) adamwUpdate(core, args);
    else adamUpdate(core, args);
  }
}

/**
 * Adam (Kingma & Ba 2015; torch.optim.Adam), with L2 weight decay added to the gradient:
 *
 *   g ← g + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * (with amsgrad, v in the last line is the running maximum of v). One fused `adamUpdate` call per
 * parameter; t counts this parameter's steps from 1.
 */
export class Adam extends AdamBase {
  protected readonly type: string = 'Adam';
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options, 'Adam', false);
    this.hyper();
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019; torch.optim.AdamW): Adam with decoupled weight decay, applied
 * to the parameter before the Adam update instead of to the gradient:
 *
 *   θ ← θ(1 − γλ);  then Adam's moments and update on the raw gradient (see `Adam`).
 *
 * Default λ = 1e-2. One fused `adamwUpdate` call per parameter.
 */
export class AdamW extends AdamBase {
  protected readonly type: string = 'AdamW';
  constructor(params: Params, options: AdamOptions = {}) {
    super(params, options, 'AdamW', true);
    this.hyper();
  }
}
