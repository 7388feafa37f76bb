import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCore as loadInBrowser } from '../src/index.browser.js';
import * as node from '../src/index.node.js';
import * as browser from '../src/index.browser.js';
import * as internalNode from '../src/internal.node.js';
import * as internalBrowser from '../src/internal.js';
import { detectFeatures, EddyError, loadCoreSync } from '../src/index.node.js';
import { relaxedWasm } from '../src/relaxed.js';
import { chooseVariant, RELAXED_PREFERRED } from '../src/variant.js';

describe('loading the core', () => {
  it('probes features: SIMD everywhere Eddy runs, relaxed SIMD with the Node 20 flag the tests pass', () => {
    expect(detectFeatures()).toEqual({ simd: true, relaxedSimd: true });
  });

  it('picks the plain SIMD build by default and in deterministic mode', () => {
    const all = { simd: true, relaxedSimd: true };
    expect(chooseVariant({}, all)).toBe('simd');
    expect(chooseVariant({ deterministic: true }, all)).toBe('simd');
    expect(chooseVariant({ deterministic: false }, all)).toBe(RELAXED_PREFERRED ? 'relaxed' : 'simd');
    expect(chooseVariant({ deterministic: false }, { simd: true, relaxedSimd: false })).toBe('simd');
  });

  it('refuses relaxed where the engine lacks it, or in deterministic mode', () => {
    expect(() => chooseVariant({ variant: 'relaxed' }, { simd: true, relaxedSimd: false })).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED' }),
    );
    expect(() => chooseVariant({ variant: 'relaxed', deterministic: true }, { simd: true, relaxedSimd: true })).toThrow(
      /cannot be deterministic/,
    );
  });

  it('says clearly when the engine lacks SIMD', () => {
    expect(() => chooseVariant({}, { simd: false, relaxedSimd: false })).toThrow(/lacks WebAssembly SIMD/);
  });

  it('rejects an unknown variant naming it', () => {
    expect(() => loadCoreSync({ variant: 'fast' as never })).toThrow(/variant must be .* got "fast"/);
  });

  it('loads each build and reports which one it is', () => {
    expect(loadCoreSync({ variant: 'simd' }).exports.has_relaxed_simd()).toBe(0);
    expect(loadCoreSync({ variant: 'relaxed', deterministic: false }).exports.has_relaxed_simd()).toBe(1);
    expect(loadCoreSync({ variant: 'debug' }).variant).toBe('debug');
  });

  it('loads a build from a given file, and says clearly when the file is missing or not wasm', () => {
    const file = new URL('../wasm/eddy-core.debug.wasm', import.meta.url);
    expect(loadCoreSync({ variant: 'debug', url: file }).variant).toBe('debug');
    expect(() => loadCoreSync({ url: '/nonexistent/eddy.wasm' })).toThrow(
      expect.objectContaining({ code: 'E_LOAD', message: expect.stringContaining('cannot read /nonexistent/eddy.wasm') }),
    );
    expect(() => loadCoreSync({ url: new URL('../package.json', import.meta.url) })).toThrow(/is not a valid WebAssembly module/);
  });

  it('gives every core its own memory', () => {
    const a = loadCoreSync();
    const b = loadCoreSync();
    expect(a.memory).not.toBe(b.memory);
    const p = a.arena.fromF32([5]);
    expect(b.arena.f32[p >>> 2]).not.toBe(5);
  });

  it('loads the simd build embedded in the package, identical to the published .wasm file', async () => {
    const file = new URL('../wasm/eddy-core.wasm', import.meta.url);
    const embedded = loadCoreSync();
    const fromFile = loadCoreSync({ url: file });
    expect(embedded.variant).toBe('simd');
    expect(embedded.exports.heap_base()).toBe(fromFile.exports.heap_base());
    // The browser entry carries the same build and compiles it asynchronously.
    const inBrowserEntry = await loadInBrowser();
    expect(inBrowserEntry.variant).toBe('simd');
    expect(inBrowserEntry.exports.heap_base()).toBe(embedded.exports.heap_base());
  });

  it('loads a build given as bytes or as a compiled module, and the embedded relaxed build', async () => {
    const bytes = readFileSync(new URL('../wasm/eddy-core.debug.wasm', import.meta.url));
    expect(loadCoreSync({ variant: 'debug', wasm: bytes }).variant).toBe('debug');
    expect(loadCoreSync({ variant: 'debug', wasm: new WebAssembly.Module(bytes) }).variant).toBe('debug');
    const relaxed = await loadInBrowser({ variant: 'relaxed', deterministic: false, wasm: relaxedWasm });
    expect(relaxed.exports.has_relaxed_simd()).toBe(1);
    expect(loadCoreSync({ variant: 'relaxed', deterministic: false, wasm: relaxedWasm }).exports.has_relaxed_simd()).toBe(1);
  });

  it('refuses a module that is not the build asked for, and bad wasm or url arguments', async () => {
    expect(() => loadCoreSync({ wasm: relaxedWasm })).toThrow(
      expect.objectContaining({ code: 'E_LOAD', message: expect.stringMatching(/is the relaxed build, but the simd build was chosen/) }),
    );
    expect(() => loadCoreSync({ variant: 'relaxed', deterministic: false, url: new URL('../wasm/eddy-core.wasm', import.meta.url) })).toThrow(
      /not the relaxed build/,
    );
    expect(() => loadCoreSync({ wasm: 'eddy-core.wasm' as never })).toThrow(
      expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringContaining('wasm must be a WebAssembly.Module, an ArrayBuffer or a typed array, got "eddy-core.wasm"') }),
    );
    expect(() => loadCoreSync({ wasm: relaxedWasm, url: 'x.wasm' })).toThrow(/either wasm .* or url .*, not both/);
    expect(() => loadCoreSync({ wasm: new Uint8Array([0, 97, 115, 109]) })).toThrow(
      /the module given as wasm is not a valid WebAssembly module/,
    );
  });

  it('in the browser entry, says what to do when a build cannot be fetched', async () => {
    // Node's fetch cannot read file: URLs, as a bundled page cannot fetch a .wasm its server lacks.
    await expect(loadInBrowser({ variant: 'debug' })).rejects.toThrow(
      expect.objectContaining({
        code: 'E_LOAD',
        message: expect.stringMatching(/cannot fetch file:.*eddy-core\.debug\.wasm.*; serve a copy of @eddy\/core-wasm\/wasm\/eddy-core\.debug\.wasm and pass its address as url$/),
      }),
    );
    await expect(loadInBrowser({ variant: 'relaxed', deterministic: false })).rejects.toThrow(
      /or pass wasm: relaxedWasm from '@eddy\/core-wasm\/relaxed'$/,
    );
    // A url the caller gave gets no advice to give a url.
    await expect(loadInBrowser({ url: 'http://127.0.0.1:9/eddy.wasm' })).rejects.toThrow(/^loadCore: cannot fetch http:\/\/127\.0\.0\.1:9\/eddy\.wasm: [^;]*$/);
  });

  it('exports the same API from both entries, except loadCoreSync (Node only), and no internals', () => {
    const names = (m: object) => Object.keys(m).sort();
    expect(names(node).filter((n) => n !== 'loadCoreSync')).toEqual(names(browser));
    expect(names(browser)).not.toContain('loadCoreSync');
    for (const internal of ['chooseVariant', 'RELAXED_PREFERRED', 'WASM_FILES']) expect(names(node)).not.toContain(internal);
  });

  it('has the same internal entry in both flavours, syncLoader being loadCoreSync in Node only', () => {
    const names = (m: object) => Object.keys(m).sort();
    expect(names(internalNode)).toEqual(names(internalBrowser));
    expect(internalNode.syncLoader).toBe(loadCoreSync);
    expect(internalBrowser.syncLoader).toBeUndefined();
    const core = internalNode.syncLoader!();
    expect(core).toBeInstanceOf(node.Core);
  });
});

describe('the built package in a plain Node process', () => {
  it('loads without flags: no relaxed SIMD there, so the plain build, and it computes', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { loadCoreSync, detectFeatures, sgemm } from '@eddy/core-wasm';
      const core = loadCoreSync({ deterministic: false });
      const a = core.arena.fromF32([1, 2, 3, 4]);
      const c = core.arena.allocF32(4);
      sgemm(core, { m: 2, n: 2, k: 2, a, b: a, c });
      console.log(JSON.stringify({ features: detectFeatures(), variant: core.variant, c: Array.from(core.arena.readF32(c, 4)) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ features: { simd: true, relaxedSimd: false }, variant: 'simd', c: [7, 10, 15, 22] });
  });
});
