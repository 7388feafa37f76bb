import { describe, expect, test } from 'vitest';
import { loadCoreSync } from '@eddy/core-wasm';
import { add, detach, EddyError, getCore, keep, matmul, randn, scope, tanh, tensor, useCore, zeros } from './index.js';
import { tapeLength } from './internal.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return e.code;
    throw e;
  }
  return undefined;
}

describe('scope, keep, detach', () => {
  test('a training-style loop inside scope stays flat in memory (2000 steps)', () => {
    const arena = getCore().arena;
    const w = randn([8, 8], { requiresGrad: true });
    let h = zeros([4, 8]);
    let used = 0, reserved = 0;
    for (let step = 0; step < 2000; step++) {
      const next = scope(() => {
        const x = randn([4, 8]);
        const hNew = tanh(add(matmul(x, w), h));
        hNew.sum().backward();
        w.zeroGrad();
        return detach(hNew);
      });
      h.dispose();
      h = next;
      if (step === 100) [used, reserved] = [arena.used, arena.reserved];
    }
    expect(arena.used).toBe(used);
    expect(arena.reserved).toBe(reserved);
    h.dispose();
    w.dispose();
  });

  test('a tensor freed by its scope throws E_SCOPE; returned and kept tensors survive', () => {
    let inner!: ReturnType<typeof zeros>;
    let kept!: ReturnType<typeof zeros>;
    const out = scope(() => {
      inner = zeros([2]);
      kept = keep(tensor([7]));
      return { a: [tensor([1, 2])] };
    });
    expect(code(() => inner.toFloat32Array())).toBe('E_SCOPE');
    expect(code(() => add(inner, inner))).toBe('E_SCOPE');
    expect(kept.item()).toBe(7);
    expect(Array.from(out.a[0].toFloat32Array())).toEqual([1, 2]);
    kept.dispose();
    out.a[0].dispose();
    expect(code(() => kept.item())).toBe('E_SCOPE');
  });

  test('nodes recorded inside a scope are dropped at its end; a returned result is a constant', () => {
    const start = tapeLength();
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = scope(() => add(x, x));
    expect(tapeLength()).toBe(start);
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBe(null);
    y.dispose();
    x.dispose();
  });

  test('a parameter made outside keeps its gradient across scopes', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    scope(() => add(w, w).sum().backward());
    expect(Array.from(w.grad!.toFloat32Array())).toEqual([2, 2]);
    w.dispose();
  });

  test('tensors of two cores cannot be mixed', () => {
    const before = getCore();
    const a = tensor([1]);
    useCore(loadCoreSync({ variant: 'debug' }));
    try {
      const b = tensor([2]);
      expect(code(() => add(a, b))).toBe('E_CORE_MISMATCH');
      expect(add(b, b).item()).toBe(4);
    } finally {
      useCore(before);
    }
  });
});
