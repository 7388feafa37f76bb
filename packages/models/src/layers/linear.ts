import { init, linear, zeros, type Tensor } from '@eddy/autograd';
import { boolOption, checkOptions, intOption } from '@eddy/autograd/internal';
import { fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';

export interface LinearOptions {
  /** Size of each input sample, in. */
  inFeatures: number;
  /** Size of each output sample, out. */
  outFeatures: number;
  /** Whether to learn an additive bias b. Default true. */
  bias?: boolean;
}

/**
 * An affine map of the last dimension (PyTorch's `nn.Linear`):
 *
 *     y = x Wᵀ + b
 *
 * Arguments: `inFeatures`, `outFeatures`, `bias = true`.
 *
 * Input `x`: `[*, in]` (any number of leading dimensions, including none).
 * Output: `[*, out]`.
 *
 * Parameters (PyTorch's names and shapes): `weight` `[out, in]`, initialised from
 * U(−1/√in, 1/√in) (PyTorch's kaiming_uniform with a = √5, whose bound is
 * gain·√(3/in) with gain = √(2/(1 + 5)), i.e. exactly 1/√in); `bias` `[out]` from U(−1/√in, 1/√in).
 *
 * @example
 * const fc = new Linear({ inFeatures: 20, outFeatures: 30 });
 * const y = fc.forward(randn([128, 20])); // [128, 30]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(options: LinearOptions) {
    super();
    const op = 'Linear';
    const o = checkOptions(op, options, ['inFeatures', 'outFeatures', 'bias']);
    this.inFeatures = intOption(op, 'inFeatures', o.inFeatures, 1);
    this.outFeatures = intOption(op, 'outFeatures', o.outFeatures, 1);
    const bias = boolOption(op, 'bias', o.bias, true);
    this.weight = this.registerParameter('weight', zeros([this.outFeatures, this.inFeatures]));
    // Drawn weight first, then bias, as PyTorch's reset_parameters does.
    init.kaimingUniform(this.weight, { a: Math.sqrt(5) });
    const bound = 1 / Math.sqrt(this.inFeatures);
    this.bias = bias ? this.registerParameter('bias', init.uniform(zeros([this.outFeatures]), -bound, bound)) : null;
  }

  /** y = x Wᵀ + b over the last dimension of x (`[*, in]` → `[*, out]`). */
  forward(x: Tensor): Tensor {
    if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== this.inFeatures) {
      throw fail('E_SHAPE', `Linear.forward: input must end in inFeatures = ${this.inFeatures}, got shape [${x.shape.join(', ')}]`);
    }
    return linear(x, this.weight, this.bias ?? undefined);
  }

  toConfig(): ModuleConfig {
    return { type: 'Linear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }
}

Module.register('Linear', (options) => new Linear(options as unknown as LinearOptions));
