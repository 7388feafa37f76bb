// What every entry (Node, browser, inline) exports besides its `loadCore`.
export { Arena } from './arena.js';
export { Core } from './core.js';
export { EddyError, describe, type CoreErrorCode } from './errors.js';
export { detectFeatures, type Features } from './features.js';
export { chooseVariant, RELAXED_PREFERRED, type LoadOptions, type Variant } from './variant.js';
export type { Impl } from './validate.js';
export type { CoreExports } from './abi.js';
export * from './kernels/gemm.js';
export * from './kernels/lstm.js';
export * from './kernels/gru.js';
export * from './kernels/rnn.js';
export * from './kernels/elementwise.js';
export * from './kernels/loss.js';
export * from './kernels/embedding.js';
export * from './kernels/optim.js';
