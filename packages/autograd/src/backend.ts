// The only file in @eddy/autograd that imports @eddy/core-wasm: it owns the active core (the wasm
// instance whose arena holds every tensor) and hands the kernel wrappers to the ops.
import * as k from '@eddy/core-wasm';
import { EddyError, describe, type Core, type CoreErrorCode } from '@eddy/core-wasm';

export { k, EddyError, describe };
export type { Core };
// The shared option checks and "did you mean", for autograd and (through ./internal.ts) the
// packages above, which do not import core-wasm.
export {
  closestName, editDistance, unknownKeyError, optionKeys, checkOptions, intOption, boolOption, rangeOption, choiceOption,
} from '@eddy/core-wasm/internal';

/** What this engine's WebAssembly can do (SIMD, relaxed SIMD): the probes `loadCore` chooses a build by. */
export const detectFeatures = k.detectFeatures;

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

// Node's entry has `loadCoreSync`; the browser entry does not, and there `ready()` must be awaited.
// Looked up at run time: bundlers of a page see only the browser entry and report `k.loadCoreSync`
// as a missing export (webpack refuses to build).
const loadSync = Reflect.get(k, 'loadCoreSync') as ((options?: k.LoadOptions) => Core) | undefined;

let active: Core | null = null;
let loading: Promise<void> | null = null;

/**
 * The active core. In Node it is loaded synchronously on first use; in a browser `ready()` must
 * have resolved first, else this throws `E_NOT_READY`.
 */
export function getCore(): Core {
  if (active !== null) return active;
  if (typeof loadSync === 'function') return (active = loadSync());
  throw fail('E_NOT_READY', 'autograd: the wasm core is not loaded yet; await ready() before creating tensors');
}

/** Resolves once the core is loaded (at once in Node, where it loads synchronously). */
/**
 * Loads a new core with explicit options (a build variant, `deterministic: false` for the faster
 * relaxed build, a memory cap, a URL) without making it active; pass it to `useCore`. Callers
 * above autograd choose a core through this, never by importing core-wasm.
 */
export function loadCore(options: k.LoadOptions = {}): Promise<Core> {
  return k.loadCore(options);
}

export function ready(): Promise<void> {
  if (active !== null) return Promise.resolve();
  if (typeof loadSync === 'function') {
    getCore();
    return Promise.resolve();
  }
  loading ??= k.loadCore().then((core) => {
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
  if (!(core instanceof k.Core)) throw fail('E_ARGUMENT', 'useCore: expected a Core from @eddy/core-wasm');
  active = core;
}
