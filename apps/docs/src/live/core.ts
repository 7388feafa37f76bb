/// <reference lib="webworker" />
// The core a live page's worker trains on: both cores (2 threads) where the page is cross-origin
// isolated — the dev server, the built site's _headers and the test server send COOP/COEP — and one
// thread otherwise. Threads change the speed, never a number (the deterministic core splits its large
// products so that every element is computed the same way), so a page gives the same losses either way.
import { loadCore, ready, useCore } from '@eddy/autograd';
import threadsUrl from '@eddy/core-wasm/wasm/eddy-core.threads.wasm?url';
import type { FromWorker } from './protocol.js';

/** More threads than this do not pay for the small models of the live pages. */
const MAX_THREADS = 2;

let started: Promise<void> | null = null;

/**
 * Makes the page's core the current one, once per worker, before the first tensor exists (tensors
 * live in one core's memory), and tells the page what it got with a `core` message.
 */
export function startCore(post: (message: FromWorker) => void): Promise<void> {
  return (started ??= (async () => {
    await ready();
    const cores = Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1);
    if (!self.crossOriginIsolated || cores < 2) {
      post({ type: 'core', threads: 1, note: self.crossOriginIsolated ? 'one core' : 'the page is not cross-origin isolated' });
      return;
    }
    const core = await loadCore({ threads: cores, threadsUrl });
    useCore(core);
    post({ type: 'core', threads: core.threads, note: core.threadsFallback ?? null });
  })());
}
