// @eddy/core-wasm/internal in Node (package.json's `node` condition): the same helpers, and the
// synchronous loader that only Node's entry has. The explicit export takes precedence over the
// `undefined` of the browser flavour that `export *` brings.
import { loadCoreSync } from './index.node.js';
import type { SyncLoader } from './internal.js';

export * from './internal.js';

/** `loadCoreSync`: Node loads a core synchronously. */
export const syncLoader: SyncLoader | undefined = loadCoreSync;
