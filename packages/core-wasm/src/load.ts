// What the loaders of every entry share: which build to load and where its module comes from. The
// entries differ only in how they read a URL (fetch in browsers, the file system in Node) and in
// whether they may compile synchronously.
import { decodeBase64 } from './base64.js';
import { EddyError, describe } from './errors.js';
import { detectFeatures, type Features } from './features.js';
import { simdBase64 } from './generated/simd.js';
import { chooseVariant, THREADS_WASM_FILES, WASM_FILES, type LoadOptions, type Variant } from './variant.js';

/**
 * Where the chosen build's module comes from: a compiled module or bytes the caller gave
 * (`options.wasm`), the simd build embedded in this package (the default: bundlers need neither
 * configuration nor copied files), or a URL — the caller's (`options.url`) or, for the builds that
 * are not embedded, `wasm/<file>` beside this module.
 */
export type Source =
  | { kind: 'module'; module: WebAssembly.Module }
  | { kind: 'bytes'; bytes: BufferSource }
  | { kind: 'embedded' }
  | { kind: 'url'; url: string | URL; given: boolean };

export interface Build {
  variant: Variant;
  features: Features;
  source: Source;
}

/** Chooses the build for `options` (feature probes, `chooseVariant`) and where to get it. */
export function chooseBuild(options: LoadOptions): Build {
  const features = detectFeatures();
  const variant = chooseVariant(options, features);
  return { variant, features, source: sourceOf(variant, options) };
}

function sourceOf(variant: Variant, options: LoadOptions): Source {
  const { wasm, url } = options;
  if (wasm !== undefined && url !== undefined) {
    throw new EddyError('E_ARGUMENT', 'loadCore: pass either wasm (the module or its bytes) or url (where to get it), not both');
  }
  if (wasm instanceof WebAssembly.Module) return { kind: 'module', module: wasm };
  if (wasm !== undefined) {
    if (!(wasm instanceof ArrayBuffer) && !ArrayBuffer.isView(wasm)) {
      throw new EddyError('E_ARGUMENT', `loadCore: wasm must be a WebAssembly.Module, an ArrayBuffer or a typed array, got ${describe(wasm)}`);
    }
    // The public type is any view, since TypeScript before 5.7 has no ArrayBufferView<ArrayBuffer>.
    return { kind: 'bytes', bytes: wasm as BufferSource };
  }
  if (url !== undefined) return { kind: 'url', url, given: true };
  if (variant === 'simd') return { kind: 'embedded' };
  return beside(variant, WASM_FILES[variant]);
}

/** Where the threads build of `variant` comes from: `options.threadsUrl`, else `wasm/` beside this module. */
export function threadsSourceOf(variant: Exclude<Variant, 'debug'>, options: LoadOptions): Source {
  if (options.threadsUrl !== undefined) return { kind: 'url', url: options.threadsUrl, given: true };
  return beside(variant, THREADS_WASM_FILES[variant]);
}

function beside(variant: Variant, file: string): Source {
  const url = besideThisModule(file);
  if (url === undefined) {
    throw unavailable(variant, `the build ${file} is not embedded in this entry, and this bundle has no import.meta.url to find wasm/${file} by`, false);
  }
  return { kind: 'url', url, given: false };
}

/**
 * `wasm/<file>` beside this module, where the module knows its URL: unbundled, or in an ESM bundle
 * (whose server must then serve that path). An iife or CommonJS bundle has no import.meta.url.
 */
function besideThisModule(file: string): URL | undefined {
  // Not written as `new URL(expression, import.meta.url)`: bundlers read that pattern as an asset
  // reference and would copy the folder into every bundle (webpack warns about it). A page that
  // wants these builds passes `url` or `wasm`; the default only serves unbundled use.
  const base = import.meta.url;
  try {
    return new URL(`../wasm/${file}`, base);
  } catch {
    return undefined;
  }
}

/** The embedded simd build's bytes. */
export function embeddedBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(simdBase64);
}

/** What a source is called in messages. */
export function sourceName(source: Source): string {
  switch (source.kind) {
    case 'module':
    case 'bytes':
      return 'the module given as wasm';
    case 'embedded':
      return 'the embedded simd build';
    case 'url':
      return String(source.url);
  }
}

/**
 * E_LOAD for a build that could not be had, saying what to do: for a default location, how to give
 * the build instead (a URL to a served copy, or the embedded relaxed build).
 */
export function unavailable(variant: Variant, problem: string, given: boolean, cause?: unknown): EddyError {
  let hint = '';
  if (!given) {
    hint = `; serve a copy of @eddy/core-wasm/wasm/${WASM_FILES[variant]} and pass its address as url`;
    if (variant === 'relaxed') hint += ", or pass wasm: relaxedWasm from '@eddy/core-wasm/relaxed'";
  }
  return new EddyError('E_LOAD', `loadCore: ${problem}${hint}`, cause === undefined ? undefined : { cause });
}

/** E_LOAD for bytes that do not compile. */
export function invalidModule(source: Source, cause: unknown): EddyError {
  return new EddyError('E_LOAD', `loadCore: ${sourceName(source)} is not a valid WebAssembly module: ${(cause as Error).message}`, { cause });
}
