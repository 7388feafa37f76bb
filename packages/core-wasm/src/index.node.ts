import { readFileSync } from 'node:fs';
import { instantiateSync, type Core } from './core.js';
import { chooseBuild, embeddedBytes, invalidModule, unavailable, type Source } from './load.js';
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
 */
export function loadCoreSync(options: LoadOptions = {}): Core {
  const { variant, features, source } = chooseBuild(options);
  return instantiateSync(compiled(variant, source), variant, features, options);
}

/** Loads a core; each call gives a fresh instance with its own memory. */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  return loadCoreSync(options);
}
