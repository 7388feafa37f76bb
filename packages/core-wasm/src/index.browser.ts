import { instantiateAsync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { detectFeatures } from './features.js';
import { chooseVariant, WASM_FILES, type LoadOptions } from './variant.js';

export * from './index.common.js';

/**
 * Loads a core with `compileStreaming` (the server must send `application/wasm`). By default the
 * .wasm is `../wasm/<file>` beside this module, which works when the package is served as is;
 * bundlers that do not copy it need the `url` option or `@eddy/core-wasm/inline`.
 */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  const features = detectFeatures();
  const variant = chooseVariant(options, features);
  const url = options.url ?? new URL(`../wasm/${WASM_FILES[variant]}`, import.meta.url);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compileStreaming(fetch(url));
  } catch (cause) {
    throw new EddyError('E_LOAD', `loadCore: cannot compile ${String(url)}: ${(cause as Error).message}`, { cause });
  }
  return instantiateAsync(module, variant, features, options);
}
