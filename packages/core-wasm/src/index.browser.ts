import { instantiateAsync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { detectFeatures } from './features.js';
import { chooseVariant, WASM_FILES, type LoadOptions } from './variant.js';

export * from './index.common.js';

export interface BrowserLoadOptions extends LoadOptions {
  /**
   * Where the build's .wasm is served. Default: `../wasm/<file>` beside this module, which works
   * when the package is served as is; bundlers that do not copy it need this or `@eddy/core-wasm/inline`.
   */
  url?: string | URL;
}

/** Loads a core with `compileStreaming` (the server must send `application/wasm`). */
export async function loadCore(options: BrowserLoadOptions = {}): Promise<Core> {
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
