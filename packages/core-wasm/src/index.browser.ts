import { instantiateAsync, type Core } from './core.js';
import { chooseBuild, embeddedBytes, invalidModule, threadsSourceOf, unavailable, type Source } from './load.js';
import type { PoolWorker } from './threads/pool.js';
import { instantiateThreaded, planThreads } from './threads/threaded.js';
import { workerSource } from './threads/worker-body.js';
import type { LoadOptions, Variant } from './variant.js';

export * from './index.common.js';

let embedded: Promise<WebAssembly.Module> | undefined;

/**
 * Loads a core; each call gives a fresh instance with its own memory. The default simd build is
 * embedded, so this works in every bundler without configuration; the relaxed and debug builds come
 * from `options.url`, `options.wasm`, or `wasm/` beside this module where it is served as published.
 */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  const { variant, features, source } = chooseBuild(options);
  const plan = planThreads(options, variant, typeof Worker === 'function' ? undefined : 'this context cannot start Web Workers');
  if (plan.threads > 1 && variant !== 'debug') {
    const module = await compiled(variant, threadsSourceOf(variant, options));
    return instantiateThreaded(module, variant, features, options, plan.threads, spawnWorker, BROWSER_SHARED_MAX_BYTES);
  }
  return instantiateAsync(await compiled(variant, source), variant, features, options, plan.fallback);
}

/** A shared memory reserves its maximum up front: 4 GiB fails on phones, 1 GiB does not. */
const BROWSER_SHARED_MAX_BYTES = 1 << 30;

/** A Web Worker running the pool's worker body from a Blob URL (nothing to serve or bundle). */
function spawnWorker(): PoolWorker {
  const url = URL.createObjectURL(new Blob([workerSource('browser')], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'eddy-core' });
  return {
    postMessage: (message) => worker.postMessage(message),
    onFirstMessage(fn) {
      worker.onerror = (event) => fn({ ready: false, error: event.message });
      worker.onmessage = (event) => {
        worker.onmessage = worker.onerror = null;
        URL.revokeObjectURL(url);
        fn(event.data);
      };
    },
    terminate: () => worker.terminate(),
  };
}

async function compiled(variant: Variant, source: Source): Promise<WebAssembly.Module> {
  switch (source.kind) {
    case 'module':
      return source.module;
    case 'bytes':
      return compile(source, source.bytes);
    case 'embedded':
      return (embedded ??= compile(source, embeddedBytes()));
    case 'url':
      return fetched(variant, source);
  }
}

async function compile(source: Source, bytes: BufferSource | Response): Promise<WebAssembly.Module> {
  try {
    return await (bytes instanceof Response ? WebAssembly.compileStreaming(bytes) : WebAssembly.compile(bytes));
  } catch (cause) {
    throw invalidModule(source, cause);
  }
}

/** Fetches a build; streams it into the compiler when the server says it is wasm. */
async function fetched(variant: Variant, source: Source & { kind: 'url' }): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(source.url);
  } catch (cause) {
    throw unavailable(variant, `cannot fetch ${String(source.url)}: ${(cause as Error).message}`, source.given, cause);
  }
  if (!response.ok) throw unavailable(variant, `cannot fetch ${String(source.url)}: HTTP ${response.status}`, source.given);
  const streams = response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm';
  return compile(source, streams ? response : await response.arrayBuffer());
}
