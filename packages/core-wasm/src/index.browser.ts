import { instantiateAsync, type Core } from './core.js';
import { chooseBuild, embeddedBytes, invalidModule, unavailable, type Source } from './load.js';
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
  return instantiateAsync(await compiled(variant, source), variant, features, options);
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
