// Loading a threaded core: whether threads can run here, the shared memory, the pool. The entries
// (Node, browser) bring what differs: how a worker starts and the default memory reservation.
import { coreImports, createCore, loadError, type Core } from '../core.js';
import { EddyError } from '../errors.js';
import type { Features } from '../features.js';
import { intOption } from '../options.js';
import type { LoadOptions, Variant } from '../variant.js';
import { WorkerPool, type SpawnWorker } from './pool.js';

const PAGE = 65536;
/** wasm32's 4 GiB in pages; the threads builds declare this maximum, the memory may ask for less. */
const MAX_PAGES = 65536;
/** More threads than this is a mistake in the argument, not a machine (browsers cap workers lower). */
export const MAX_THREADS = 256;

/** What `loadCore` will run: how many threads, and if fewer than asked, why. */
export interface ThreadsPlan {
  threads: number;
  fallback?: string;
}

/**
 * Decides the thread count for `options.threads` (default 1) here: `workers` is undefined where
 * this entry can start workers, else why it cannot.
 */
export function planThreads(options: LoadOptions, variant: Variant, workers: string | undefined): ThreadsPlan {
  const threads = intOption('loadCore', 'threads', options.threads, 1, 1, MAX_THREADS);
  if (threads === 1) return { threads };
  const why = variant === 'debug' ? 'the debug build runs on one thread' : (workers ?? sharedMemoryMissing());
  return why === undefined ? { threads } : { threads: 1, fallback: `${threads} threads were asked for, but ${why}` };
}

/** Why this engine cannot share a WebAssembly memory between threads; undefined when it can. */
function sharedMemoryMissing(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
      return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    }
    return 'this engine has no SharedArrayBuffer';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this engine has no shared WebAssembly memory';
  }
  return undefined;
}

/**
 * Instantiates the threads build `module` on a new shared memory of at most `options.maxBytes`
 * (default `defaultMaxBytes`) and starts `threads − 1` workers on it.
 */
export async function instantiateThreaded(
  module: WebAssembly.Module, variant: Variant, features: Features, options: LoadOptions,
  threads: number, spawn: SpawnWorker, defaultMaxBytes: number,
): Promise<Core> {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  if (typeof maxBytes !== 'number' || !(maxBytes >= PAGE)) {
    throw new EddyError('E_ARGUMENT', `loadCore: maxBytes must be a number of bytes >= ${PAGE} for a threaded core, got ${String(maxBytes)}`);
  }
  const maximum = Math.min(MAX_PAGES, Math.floor(maxBytes / PAGE));
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
  } catch (cause) {
    throw new EddyError(
      'E_OUT_OF_MEMORY',
      `loadCore: could not reserve a shared memory of ${maximum * PAGE} bytes for ${threads} threads (pass a smaller maxBytes): ${(cause as Error).message}`,
      { cause },
    );
  }
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, coreImports(() => memory, memory));
  } catch (cause) {
    throw loadError(variant, cause);
  }
  const core = createCore(instance, variant, features, { maxBytes: maximum * PAGE });
  core.attachPool(await WorkerPool.start(core, module, threads, spawn));
  return core;
}
