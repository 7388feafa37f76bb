import { optim } from '@eddy/autograd';
import type { CommonTrainingOptions } from '../../checkpoint/checkpoint.js';

/**
 * The optimizer `--optimizer` names, over `params` (a parameter list, or groups with their own
 * lr and weight decay), at learning rate `lr`. Every training command builds its optimizer here,
 * fresh and when resuming (the state dict is loaded into what this returns).
 */
export function makeOptimizer(kind: CommonTrainingOptions['optimizer'], params: optim.Params, lr: number): optim.Optimizer {
  if (kind === 'adam') return new optim.Adam(params, { lr });
  if (kind === 'rmsprop') return new optim.RMSprop(params, { lr });
  if (kind === 'adagrad') return new optim.Adagrad(params, { lr });
  return new optim.SGD(params, { lr });
}
