import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOf, chooseImpl, DISPATCH, exportName, kernelFor, type KernelFamily } from '../src/dispatch.js';
import { sgemm } from '../src/index.node.js';
import { core, rng, uniform, VARIANTS } from './cores.js';

const FAMILIES = Object.keys(DISPATCH) as KernelFamily[];

/** The names a built module exports. */
function exportsOf(file: string): string[] {
  const bytes = readFileSync(new URL(`../wasm/${file}`, import.meta.url));
  return WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
}

describe('the dispatch table', () => {
  it.each(VARIANTS)('resolves every family in the %s build to that build\'s exports', (variant) => {
    const c = core(variant);
    const build = buildOf(c);
    expect(build).toBe(variant === 'relaxed' ? 'relaxed' : 'plain');
    for (const family of FAMILIES) {
      for (const impl of ['simd', 'scalar'] as const) {
        const name = exportName(family, build, impl);
        const fn = (c.exports as unknown as Record<string, unknown>)[name];
        expect(typeof fn, `${variant}: ${family} ${impl} → ${name}`).toBe('function');
        expect(kernelFor(c, family, impl)).toBe(fn);
      }
    }
  });

  it('names the relaxed build\'s FMA kernels as such, and only those; the rest is the plain ABI', () => {
    const plain = exportsOf('eddy-core.wasm');
    const relaxed = exportsOf('eddy-core.relaxed.wasm');
    const renamed = FAMILIES.filter((f) => DISPATCH[f].simd.relaxed !== DISPATCH[f].simd.plain);
    // The GEMM and every fused recurrent kernel (they run the GEMM inside); no elementwise kernel.
    expect(renamed).toEqual(['gemm', 'gemm_packed_b', 'lstm_forward', 'lstm_backward', 'gru_forward', 'gru_backward', 'rnn_forward', 'rnn_backward']);
    for (const f of renamed) expect(DISPATCH[f].simd.relaxed).toMatch(/__wasmrelaxedsimd$/);
    expect(plain.filter((n) => n.includes('relaxedsimd'))).toEqual([]);
    // The relaxed module exports exactly the plain names, with the renamed kernels' names swapped.
    const swap = new Map(renamed.map((f) => [DISPATCH[f].simd.plain, DISPATCH[f].simd.relaxed]));
    expect([...relaxed].sort()).toEqual(plain.map((n) => swap.get(n) ?? n).sort());
    // Every kernel export of a build is reached through the table (nothing dispatches beside it).
    for (const [build, names] of [['plain', plain], ['relaxed', relaxed]] as const) {
      const reached = new Set(FAMILIES.flatMap((f) => [exportName(f, build, 'simd'), exportName(f, build, 'scalar')]));
      expect(names.filter((n) => /__(wasmsimd|wasmrelaxedsimd|scalar)$/.test(n) && !reached.has(n)), build).toEqual([]);
    }
  });

  it('runs a small GEMM on the scalar twin unless an impl is forced, a large one on the SIMD kernel', () => {
    expect(chooseImpl('gemm', undefined, 4096)).toBe('scalar');
    expect(chooseImpl('gemm', undefined, 4097)).toBe('simd');
    expect(chooseImpl('gemm', 'simd', 1)).toBe('simd');
    expect(chooseImpl('gemm_packed_b', undefined, 1)).toBe('simd');
    expect(chooseImpl('add', undefined, 1)).toBe('simd');
    // The default sgemm gives the scalar twin's bits for a 5×5 product and the SIMD kernel's for a
    // larger one, in the relaxed build too (where the two round differently).
    for (const variant of VARIANTS) {
      const c = core(variant);
      c.arena.scope(() => {
        for (const [m, n, k, twin] of [[5, 5, 5, 'scalar'], [33, 17, 65, 'simd']] as const) {
          const a = c.arena.fromF32(uniform(rng(m), m * k));
          const b = c.arena.fromF32(uniform(rng(n), k * n));
          const run = (impl?: 'simd' | 'scalar') => {
            const out = c.arena.allocF32(m * n);
            sgemm(c, { m, n, k, a, b, c: out }, impl);
            return c.arena.readF32(out, m * n);
          };
          expect(run(), `${variant} ${m}×${n}×${k}`).toEqual(run(twin));
        }
      });
    }
  });
});
