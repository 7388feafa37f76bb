import { instantiateAsync, type Core } from './core.js';
import { EddyError } from './errors.js';
import { detectFeatures } from './features.js';
import { relaxedBase64, simdBase64 } from './generated/wasm-base64.js';
import { chooseVariant, type LoadOptions } from './variant.js';

export * from './index.common.js';

/** Loads a core from base64 bundled in this module: nothing to copy or serve. */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  const features = detectFeatures();
  const variant = chooseVariant(options, features);
  if (options.url !== undefined) {
    throw new EddyError('E_ARGUMENT', 'loadCore: the inline entry carries its module; url is for the Node and browser entries');
  }
  if (variant === 'debug') {
    throw new EddyError('E_ARGUMENT', "loadCore: the inline entry carries the 'simd' and 'relaxed' builds, not 'debug'");
  }
  const module = await WebAssembly.compile(decodeBase64(variant === 'relaxed' ? relaxedBase64 : simdBase64));
  return instantiateAsync(module, variant, features, options);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
