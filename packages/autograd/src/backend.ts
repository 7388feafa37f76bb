// The only file in @eddy/autograd that imports @eddy/core-wasm: it owns the active core (the wasm
// instance whose arena holds every tensor) and hands the kernel wrappers to the ops, by name. No
// namespace object of the core exists: a page keeps only the wrappers its ops call, not every
// export of core-wasm.
import { Core, EddyError, loadCore as loadNewCore, type CoreErrorCode, type LoadOptions } from '@eddy/core-wasm';
// Node's entry has `loadCoreSync`; the browser entry does not, and there `ready()` must be awaited.
// `syncLoader` exists in both flavours of core-wasm's internal entry (undefined in the browser's),
// so bundlers of a page resolve it where a named import of `loadCoreSync` would be a missing export
// (webpack refuses to build).
import { syncLoader } from '@eddy/core-wasm/internal';

export { EddyError, describe } from '@eddy/core-wasm';
export type { Core };
// The kernel wrappers the ops call, and their argument types.
export {
  sgemm, packB, sgemmPacked, quantizeInt8, gemmInt8, int8RowStride,
  lstmWorkspaceBytes, lstmForward, lstmBackward, gruWorkspaceBytes, gruForward, gruBackward,
  rnnWorkspaceBytes, rnnForward, rnnBackward, attentionForward, attentionBackward,
  treeLstmCellForward, treeLstmCellBackward, transpose,
  add, sub, mul, scale, axpy, exp, log, sigmoid, tanh, relu, sigmoidBackward, tanhBackward, reluBackward, sum, sumOfSquares,
  softmax, logSoftmax, softmaxBackward, logSoftmaxBackward, softmaxCrossEntropy, embeddingGather, embeddingScatterAdd,
  sgdUpdate, adamUpdate, adamwUpdate, rmspropUpdate, adagradUpdate, clipValue,
} from '@eddy/core-wasm';
export type { PackedB, LstmForwardArgs, LstmBackwardArgs } from '@eddy/core-wasm';
// The shared option checks and "did you mean", for autograd and (through ./internal.ts) the
// packages above, which do not import core-wasm.
export {
  closestName, editDistance, unknownKeyError, optionKeys, checkOptions, intOption, boolOption, rangeOption, choiceOption,
} from '@eddy/core-wasm/internal';

/** What this engine's WebAssembly can do (SIMD, relaxed SIMD): the probes `loadCore` chooses a build by. */
export { detectFeatures } from '@eddy/core-wasm';

/**
 * The codes a caller of autograd can see (README "Errors" lists when): core-wasm's, which pass
 * through, and autograd's own E_NOT_READY (a core was needed before `ready()` resolved in a
 * browser), E_CORE_MISMATCH (tensors of two cores in one operation) and E_GRAD (backward on a
 * non-scalar without a gradient, on a tensor that does not require grad, or through a graph
 * already freed).
 */
export type AutogradErrorCode = CoreErrorCode | 'E_NOT_READY' | 'E_CORE_MISMATCH' | 'E_GRAD';

/** A typed error with a stable code. */
export function fail(code: AutogradErrorCode, message: string): EddyError<AutogradErrorCode> {
  return new EddyError(code, message);
}

let active: Core | null = null;
let loading: Promise<void> | null = null;

/**
 * The active core. In Node it is loaded synchronously on first use; in a browser `ready()` must
 * have resolved first, else this throws `E_NOT_READY`.
 */
export function getCore(): Core {
  if (active !== null) return active;
  if (typeof syncLoader === 'function') return (active = syncLoader());
  throw fail('E_NOT_READY', 'autograd: the wasm core is not loaded yet; await ready() before creating tensors');
}

/**
 * Loads a new core with explicit options (a build variant, `deterministic: false` for the faster
 * relaxed build, a memory cap, a URL) without making it active; pass it to `useCore`. Callers
 * above autograd choose a core through this, never by importing core-wasm.
 */
export function loadCore(options: LoadOptions = {}): Promise<Core> {
  return loadNewCore(options);
}

/** Resolves once the core is loaded (at once in Node, where it loads synchronously). */
export function ready(): Promise<void> {
  if (active !== null) return Promise.resolve();
  if (typeof syncLoader === 'function') {
    getCore();
    return Promise.resolve();
  }
  loading ??= loadNewCore().then((core) => {
    active ??= core;
  });
  return loading;
}

/**
 * Makes `core` the active core: tensors created afterwards live in its arena. Tensors of the
 * previous core stay valid but cannot be mixed with the new ones (E_CORE_MISMATCH). Tests use it
 * to run against the checked debug build: `useCore(loadCoreSync({ variant: 'debug' }))`.
 */
export function useCore(core: Core): void {
  if (!(core instanceof Core)) throw fail('E_ARGUMENT', 'useCore: expected a Core from @eddy/core-wasm');
  active = core;
}
