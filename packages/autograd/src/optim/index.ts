// The `optim` namespace: optimizers, gradient clipping and learning-rate schedules, with
// PyTorch's names in camelCase (torch.optim, torch.nn.utils.clip_grad_*, torch.optim.lr_scheduler).
export {
  Optimizer, type OptimizerStateDict, type ParamStateDict, type ParamGroupStateDict, type ParamGroup, type ParamGroupOptions, type Params,
  type ParamState, type HyperValue,
} from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RmspropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export {
  LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau,
  type ReduceLROnPlateauOptions, type SchedulerStateDict,
} from './schedules.js';
