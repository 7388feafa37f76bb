import { EddyError, describe } from './errors.js';
import type { Features } from './features.js';
import { checkOptions, optionKeys } from './options.js';

/** The builds of the core: plain SIMD, relaxed SIMD (FMA in the GEMM micro-kernel), checked debug. */
export type Variant = 'simd' | 'relaxed' | 'debug';

export const WASM_FILES: Record<Variant, string> = {
  simd: 'eddy-core.wasm',
  relaxed: 'eddy-core.relaxed.wasm',
  debug: 'eddy-core.debug.wasm',
};

/** The threads builds: the same sources on an imported shared memory (no debug one). */
export const THREADS_WASM_FILES: Record<Exclude<Variant, 'debug'>, string> = {
  simd: 'eddy-core.threads.wasm',
  relaxed: 'eddy-core.relaxed.threads.wasm',
};

export interface LoadOptions {
  /** Which build to load; 'auto' (default) picks by feature probes and the dispatch record below. */
  variant?: Variant | 'auto';
  /**
   * Bit-identical results on every engine: never picks the relaxed build, whose fused multiply-add
   * may round differently on different hardware. Default true.
   */
  deterministic?: boolean;
  /**
   * Cap on linear memory in bytes (default: the 4 GiB wasm32 limit). A threaded core reserves its
   * shared memory's maximum up front, so there the default is 4 GiB in Node and 1 GiB in browsers
   * (a 4 GiB reservation fails on phones).
   */
  maxBytes?: number;
  /**
   * Threads that split large kernel calls, the calling thread included (default 1: no workers).
   * With more, the core runs the threads build on a shared memory with `threads − 1` workers
   * (worker_threads in Node, Web Workers where `crossOriginIsolated`), unref'd so that they never
   * keep a Node script alive. Where that cannot run (no SharedArrayBuffer, a page without COOP/COEP
   * headers, the debug build) the core falls back to one thread and says why in
   * `core.threadsFallback`. Results are bit-identical for every thread count.
   */
  threads?: number;
  /**
   * Where the threads build is, when `threads` > 1 (a URL in browsers, a path or `file:` URL in
   * Node); default `wasm/` beside this module. `url` and `wasm` give the one-thread build, which
   * the fallback uses.
   */
  threadsUrl?: string | URL;
  /**
   * Where the chosen build's .wasm is: a URL in browsers (fetched; compiled while it streams when the
   * server sends `application/wasm`), a file path or `file:` URL in Node. By default the simd build
   * comes embedded in the package and the others from `wasm/` beside it, where that can be found
   * (unbundled, or an ESM bundle whose server serves that path).
   */
  url?: string | URL;
  /**
   * The chosen build itself, compiled or as bytes, instead of a URL: e.g. `relaxedWasm` from
   * `@eddy/core-wasm/relaxed`, which needs nothing served. It must be the build `variant` names.
   */
  wasm?: WebAssembly.Module | ArrayBuffer | ArrayBufferView;
}

/**
 * Dispatch record: whether 'auto' prefers the relaxed build where the engine has it. Decided by
 * `npm run bench -w bench -- kernels` (relaxed vs plain SGEMM in one run); see bench/README.md.
 */
export const RELAXED_PREFERRED = true;

const LOAD_OPTIONS = optionKeys<LoadOptions>({
  variant: true, deterministic: true, maxBytes: true, threads: true, threadsUrl: true, url: true, wasm: true,
});

export function chooseVariant(options: LoadOptions, features: Features): Variant {
  checkOptions('loadCore', options, LOAD_OPTIONS);
  const requested = options.variant ?? 'auto';
  if (!['auto', 'simd', 'relaxed', 'debug'].includes(requested)) {
    throw new EddyError('E_ARGUMENT', `loadCore: variant must be 'auto', 'simd', 'relaxed' or 'debug', got ${describe(requested)}`);
  }
  if (!features.simd) {
    throw new EddyError(
      'E_UNSUPPORTED',
      'loadCore: this JavaScript engine lacks WebAssembly SIMD, which Eddy needs (Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4)',
    );
  }
  if (requested === 'relaxed') {
    if (!features.relaxedSimd) {
      throw new EddyError(
        'E_UNSUPPORTED',
        "loadCore: variant 'relaxed' needs relaxed SIMD, which this engine lacks (Node 20 needs --experimental-wasm-relaxed-simd)",
      );
    }
    if (options.deterministic === true) {
      throw new EddyError('E_ARGUMENT', "loadCore: variant 'relaxed' cannot be deterministic: its fused multiply-add rounds per hardware");
    }
    return 'relaxed';
  }
  if (requested !== 'auto') return requested;
  const deterministic = options.deterministic ?? true;
  return RELAXED_PREFERRED && features.relaxedSimd && !deterministic ? 'relaxed' : 'simd';
}
