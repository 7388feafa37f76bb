import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { instantiateSync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { chooseBuild, embeddedBytes, invalidModule, threadsSourceOf, unavailable, type Source } from './load.js';
import type { PoolWorker } from './threads/pool.js';
import { instantiateThreaded, planThreads } from './threads/threaded.js';
import { workerSource, type WorkerReply } from './threads/worker-body.js';
import type { LoadOptions, Variant } from './variant.js';

export * from './index.common.js';

/** Compiled modules by where they came from: each is compiled once per process. */
const modules = new Map<string, WebAssembly.Module>();

function compiled(variant: Variant, source: Source): WebAssembly.Module {
  switch (source.kind) {
    case 'module':
      return source.module;
    case 'bytes':
      return compile(source, source.bytes);
    case 'embedded':
      return cached('embedded', () => compile(source, embeddedBytes()));
    case 'url':
      return cached(String(source.url), () => compile(source, read(variant, source)));
  }
}

function cached(key: string, make: () => WebAssembly.Module): WebAssembly.Module {
  let module = modules.get(key);
  if (!module) modules.set(key, (module = make()));
  return module;
}

function compile(source: Source, bytes: BufferSource): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (cause) {
    throw invalidModule(source, cause);
  }
}

function read(variant: Variant, source: Source & { kind: 'url' }): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(readFileSync(source.url));
  } catch (cause) {
    throw unavailable(variant, `cannot read ${String(source.url)}`, source.given, cause);
  }
}

/**
 * Loads a core synchronously (Node only): the simd build is embedded; the others are read from
 * `wasm/` beside the package, or from `options.url` (a path or `file:` URL), or given as `options.wasm`.
 * One thread only: workers start asynchronously, so `threads` needs `loadCore`.
 */
export function loadCoreSync(options: LoadOptions = {}): Core {
  const { variant, features, source } = chooseBuild(options);
  if (planThreads(options, variant, undefined).threads > 1) {
    throw new EddyError('E_ARGUMENT', `loadCoreSync: threads must be 1 (workers start asynchronously), got ${options.threads}; use await loadCore({ threads })`);
  }
  return instantiateSync(compiled(variant, source), variant, features, options);
}

/** Node reserves virtual address space only: the whole wasm32 range costs nothing until used. */
const NODE_SHARED_MAX_BYTES = 65536 * 65536;

/**
 * Loads a core; each call gives a fresh instance with its own memory. With `threads` > 1 it starts
 * that many − 1 worker threads on the threads build (read from `wasm/` beside the package or
 * `options.threadsUrl`).
 */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  const { variant, features, source } = chooseBuild(options);
  const plan = planThreads(options, variant, undefined);
  if (plan.threads > 1 && variant !== 'debug') {
    const module = compiled(variant, threadsSourceOf(variant, options));
    return instantiateThreaded(module, variant, features, options, plan.threads, spawnWorker, NODE_SHARED_MAX_BYTES);
  }
  return instantiateSync(compiled(variant, source), variant, features, options, plan.fallback);
}

/**
 * A worker_threads worker running the pool's worker body. Referenced until it answers (a script
 * awaiting `loadCore` must not exit under it), unref'd afterwards so that it never keeps Node alive.
 */
function spawnWorker(): PoolWorker {
  const worker = new Worker(workerSource('node'), { eval: true, name: 'eddy-core' });
  return {
    postMessage: (message) => worker.postMessage(message),
    onFirstMessage(fn) {
      const onError = (error: Error) => fn({ ready: false, error: error.message });
      worker.once('error', onError);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', onError);
        worker.unref();
        fn(reply);
      });
    },
    terminate: () => void worker.terminate(),
  };
}
