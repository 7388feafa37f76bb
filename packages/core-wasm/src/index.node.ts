import { readFileSync } from 'node:fs';
import { instantiateSync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { detectFeatures } from './features.js';
import { chooseVariant, WASM_FILES, type LoadOptions, type Variant } from './variant.js';

export * from './index.common.js';

const modules = new Map<string, WebAssembly.Module>();

/** The compiled module of a build: the file at `location`, by default in `wasm/` beside this package. */
function compiled(variant: Variant, location?: string | URL): WebAssembly.Module {
  const file = location ?? new URL(`../wasm/${WASM_FILES[variant]}`, import.meta.url);
  const key = String(file);
  let module = modules.get(key);
  if (!module) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (cause) {
      const hint = location === undefined ? '; was @eddy/core-wasm built (npm run build)?' : '';
      throw new EddyError('E_LOAD', `loadCore: cannot read ${key}${hint}`, { cause });
    }
    try {
      module = new WebAssembly.Module(bytes);
    } catch (cause) {
      throw new EddyError('E_LOAD', `loadCore: ${key} is not a valid WebAssembly module: ${(cause as Error).message}`, { cause });
    }
    modules.set(key, module);
  }
  return module;
}

/** Loads a core synchronously: in Node the module is a file beside the package (or `url`). */
export function loadCoreSync(options: LoadOptions = {}): Core {
  const features = detectFeatures();
  const variant = chooseVariant(options, features);
  return instantiateSync(compiled(variant, options.url), variant, features, options);
}

/** Loads a core; each call gives a fresh instance with its own memory. */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  return loadCoreSync(options);
}
