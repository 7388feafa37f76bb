// @eddy/core-wasm/internal: helpers the Eddy packages above share but users should not build on.
// Internal: no semver promise. Nothing here is re-exported from the public entries.
import type { Core } from './core.js';
import type { LoadOptions } from './variant.js';

export { closestName, editDistance } from './closest-name.js';
export { unknownKeyError, optionKeys, checkOptions, intOption, boolOption, rangeOption, choiceOption } from './options.js';

/** `loadCoreSync`'s signature, for `syncLoader`. */
export type SyncLoader = (options?: LoadOptions) => Core;

/**
 * `loadCoreSync` where the platform can load a core synchronously, else undefined: this is the
 * browser flavour of this entry (package.json's `browser`/`default` condition), and Node's
 * (internal.node.ts) sets it. A named import of it resolves in every bundler, where a named import
 * of `loadCoreSync`, missing from the browser entry, would not; autograd needs no namespace object
 * of the whole core to look it up.
 */
export const syncLoader: SyncLoader | undefined = undefined;
