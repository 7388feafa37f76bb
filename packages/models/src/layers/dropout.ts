import { dropout, type Tensor } from '@eddy/autograd';
import { checkOptions, rangeOption } from '@eddy/autograd/internal';
import { Module, type ModuleConfig } from '../module.js';

export interface DropoutOptions {
  /** Probability p of zeroing an element, in [0, 1). Default 0.5. */
  p?: number;
}

/**
 * Inverted dropout (PyTorch's `nn.Dropout`): in training mode
 *
 *     yᵢ = mᵢ · xᵢ / (1 − p),   mᵢ ~ Bernoulli(1 − p)
 *
 * drawn from the seeded RNG (`manualSeed`); after `eval()` it is the identity. Scaling at
 * training time keeps E[y] = x, so nothing changes at evaluation.
 *
 * Arguments: `p = 0.5`. Input: any shape; output: the same shape. No parameters.
 *
 * @example
 * const drop = new Dropout({ p: 0.2 });
 * drop.forward(x);      // training: about 20 % zeros, the rest × 1.25
 * drop.eval().forward(x); // x itself
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(options: DropoutOptions = {}) {
    super();
    const o = checkOptions('Dropout', options, ['p']);
    this.p = rangeOption('Dropout', 'p', o.p, 0, 1, 0.5);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  toConfig(): ModuleConfig {
    return { type: 'Dropout', p: this.p };
  }
}

Module.register('Dropout', (options) => new Dropout(options as DropoutOptions));
