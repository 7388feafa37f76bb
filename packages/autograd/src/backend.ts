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
const loadSync = (k as { loadCoreSync?: (options?: k.LoadOptions) => Core }).loadCoreSync;

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

/** Below this many multiply-adds, `gemm` skips the SIMD path's packing workspace (see below). */
const SMALL_GEMM = 4096;

/**
 * C ← α·op(A)·op(B) + β·C for autograd's own tensors. NOTE: tiny products (a recursive net's
 * 5×5 weights) are dominated by the wrapper's per-call costs (argument checks, an arena scope for
 * the packing workspace), about 3 µs; they call the scalar twin directly, which needs no workspace.
 * That is safe here because autograd derived every size from tensors it allocated.
 */
export function gemm(core: Core, args: k.SgemmArgs): void {
  const { m, n, k: kk } = args;
  if (m * n * kk > SMALL_GEMM || m === 0 || n === 0) {
    k.sgemm(core, args);
    return;
  }
  const transA = args.transA ?? false, transB = args.transB ?? false;
  const lda = args.lda ?? Math.max(transA ? m : kk, 1);
  const ldb = args.ldb ?? Math.max(transB ? kk : n, 1);
  const ldc = args.ldc ?? Math.max(n, 1);
  core.exports.f32_gemm__scalar(+transA, +transB, m, n, kk, args.alpha ?? 1, args.a, lda, args.b, ldb, args.beta ?? 0, args.c, ldc, 0);
}
