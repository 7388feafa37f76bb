// @eddy/autograd/internal: what the Eddy packages above (models, text, cli, bench) share but users
// should not build on. Internal: no semver promise. Nothing above autograd imports core-wasm, so
// core-wasm's internal helpers reach them from here.
export {
  describe, fail,
  closestName, editDistance, unknownKeyError, optionKeys, checkOptions, intOption, boolOption, rangeOption, choiceOption,
} from './backend.js';
export { sumTo, expandTo } from './ops/elementwise.js';
export { tapeLength } from './tape.js';
export { projectionPays } from './ops/recurrent/projected.js';
export { defaultGenerator } from './rng.js';
export { withoutInitialDraws, drawsInitialValues } from './initial-draws.js';
export { snakeCase } from './optim/optimizer.js';
export { PackedWeight, linearPacked } from './ops/linear.js';
/** An uninitialised float32 tensor in `core`'s arena, for outputs a kernel overwrites whole. */
export { empty } from './tensor.js';

/**
 * Kernels @eddy/models' tree code calls inside its own autograd Functions: the fused Tree-LSTM cell
 * (forward, backward) and the embedding backward's scatter-add (the gathers of children's states).
 */
export { treeLstmCellForward, treeLstmCellBackward, embeddingGather, embeddingScatterAdd } from './backend.js';
