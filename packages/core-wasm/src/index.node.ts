import { readFileSync } from 'node:fs';
import { instantiateSync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { detectFeatures } from './features.js';
import { chooseVariant, WASM_FILES, type LoadOptions, type Variant } from './variant.js';

export * from './index.common.js';

const modules = new Map<Variant, WebAssembly.Module>();

/** The compiled module of a build, read from the `wasm/` folder beside this package's sources. */
function compiled(variant: Variant): WebAssembly.Module {
  let module = modules.get(variant);
  if (!module) {
    const url = new URL(`../wasm/${WASM_FILES[variant]}`, import.meta.url);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(url));
    } catch (cause) {
      throw new EddyError('E_LOAD', `loadCore: cannot read ${url.pathname}; was @eddy/core-wasm built (npm run build)?`, { cause });
    }
    module = new WebAssembly.Module(bytes);
    modules.set(variant, module);
  }
  return module;
}

/** Loads a core synchronously: in Node the module is a file beside the package. */
export function loadCoreSync(options: LoadOptions = {}): Core {
  const features = detectFeatures();
  const variant = chooseVariant(options, features);
  return instantiateSync(compiled(variant), variant, features, options);
}

/** Loads a core; each call gives a fresh instance with its own memory. */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  return loadCoreSync(options);
}
