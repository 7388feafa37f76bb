import { describe, expect, it } from 'vitest';
import { chooseVariant, detectFeatures, EddyError, loadCoreSync, RELAXED_PREFERRED } from '../src/index.node.js';
import { loadCore as loadInline } from '../src/index.inline.js';

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

  it('the inline entry (base64, for bundlers) loads the same module', async () => {
    const core = await loadInline();
    expect(core.variant).toBe('simd');
    expect(core.exports.heap_base()).toBe(loadCoreSync().exports.heap_base());
    await expect(loadInline({ variant: 'debug' })).rejects.toBeInstanceOf(EddyError);
    await expect(loadInline({ url: 'x.wasm' })).rejects.toThrow(/url is for the Node and browser entries/);
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
