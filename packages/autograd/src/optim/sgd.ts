import { checkOptions, fail, optionKeys, sgdUpdate, type Core } from '../backend.js';
import type { Tensor } from '../tensor.js';
import { NON_NEGATIVE, Optimizer, checkBool, checkHyper, type HyperValue, type ParamGroup, type ParamState, type Params } from './optimizer.js';

export interface SgdOptions {
  /** γ, default 1e-3 (PyTorch's default). */
  lr?: number;
  /** μ ≥ 0, default 0. */
  momentum?: number;
  /** τ ∈ [0, 1], default 0. */
  dampening?: number;
  /** λ ≥ 0, L2 penalty added to the gradient, default 0. */
  weightDecay?: number;
  /** Nesterov momentum, default false; needs momentum > 0 and dampening = 0. */
  nesterov?: boolean;
}

const SGD_OPTIONS = optionKeys<SgdOptions>({ lr: true, momentum: true, dampening: true, weightDecay: true, nesterov: true });

/**
 * Stochastic gradient descent with momentum (torch.optim.SGD):
 *
 *   g ← g + λθ
 *   b ← g (first step), else b ← μb + (1 − τ)g
 *   g ← g + μb (Nesterov), else g ← b
 *   θ ← θ − γg
 *
 * Without momentum the update is θ ← θ − γ(g + λθ). One fused `sgdUpdate` call per parameter.
 */
export class SGD extends Optimizer {
  protected readonly type = 'SGD';
  momentum: number;
  dampening: number;
  nesterov: boolean;

  constructor(params: Params, options: SgdOptions = {}) {
    checkOptions('SGD', options, SGD_OPTIONS);
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0 }, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.hyper();
  }

  protected hyper(): Record<string, HyperValue> {
    const op = 'SGD';
    const h = {
      momentum: checkHyper(op, 'momentum', this.momentum, NON_NEGATIVE),
      dampening: checkHyper(op, 'dampening', this.dampening, { min: 0, max: 1 }),
      nesterov: checkBool(op, 'nesterov', this.nesterov),
    };
    if (h.nesterov && (h.momentum === 0 || h.dampening !== 0)) {
      throw fail('E_ARGUMENT', `SGD: nesterov needs momentum > 0 and dampening = 0, got momentum ${h.momentum} and dampening ${h.dampening}`);
    }
    return h;
  }

  protected setHyper(h: Record<string, HyperValue>): void {
    this.momentum = h.momentum as number;
    this.dampening = h.dampening as number;
    this.nesterov = h.nesterov as boolean;
  }

  protected update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void {
    // NOTE: the buffer starts as a copy of the first gradient (PyTorch's momentum_buffer = None
    // branch), so a fresh buffer needs no zeroing: the kernel's `first` flag writes b ← g.
    const buf = this.momentum > 0 ? this.buffer(p, s, 'momentumBuffer') : null;
    sgdUpdate(core, {
      n: p.size,
      param: p.ptr,
      grad: g.ptr,
      momentumBuffer: buf?.ptr,
      lr: group.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: group.weightDecay,
      nesterov: this.nesterov,
      first: buf ? buf.fresh : undefined,
    });
  }
}
