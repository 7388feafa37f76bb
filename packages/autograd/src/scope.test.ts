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

  test('returned trees of any depth keep their tensors: 1000-deep nesting, a 10⁵-deep chain', () => {
    type Node = { t: ReturnType<typeof tensor>; next: Node | null } | null;
    const deep = scope(() => {
      let v: unknown = tensor([42]);
      for (let i = 0; i < 1000; i++) v = i % 2 === 0 ? [v] : { child: v };
      return v;
    });
    let leaf: unknown = deep;
    for (let i = 999; i >= 0; i--) leaf = i % 2 === 0 ? (leaf as unknown[])[0] : (leaf as { child: unknown }).child;
    expect((leaf as ReturnType<typeof tensor>).item()).toBe(42);
    (leaf as ReturnType<typeof tensor>).dispose();

    const chain = scope(() => {
      let head: Node = null;
      for (let i = 0; i < 100_000; i++) head = { t: i % 10_000 === 0 ? tensor([i]) : (null as never), next: head };
      return head;
    });
    const kept: number[] = [];
    for (let n: Node = chain; n !== null; n = n.next) if (n.t) kept.push(n.t.item()), n.t.dispose();
    expect(kept).toEqual([90_000, 80_000, 70_000, 60_000, 50_000, 40_000, 30_000, 20_000, 10_000, 0]);
  });

  test('cycles, class instances, Maps and Sets in a result keep their tensors', () => {
    class Tree {
      readonly children: Tree[] = [];
      parent: Tree | null = null;
      constructor(readonly h: ReturnType<typeof tensor>) {}
    }
    const out = scope(() => {
      const root = new Tree(tensor([1]));
      const leaf = new Tree(tensor([2]));
      leaf.parent = root;
      root.children.push(leaf, root);
      const byName = new Map<unknown, unknown>([['leaf', leaf], [tensor([3]), 'a tensor as a key']]);
      return { root, byName, set: new Set([tensor([4])]), self: null as unknown };
    });
    out.self = out;
    const leaf = out.root.children[0];
    const [keyTensor] = [...out.byName.keys()].filter((k) => k !== 'leaf') as ReturnType<typeof tensor>[];
    const [setTensor] = [...out.set];
    expect([out.root.h.item(), leaf.h.item(), keyTensor.item(), setTensor.item()]).toEqual([1, 2, 3, 4]);
    expect(out.byName.get('leaf')).toBe(leaf);
    for (const t of [out.root.h, leaf.h, keyTensor, setTensor]) t.dispose();
  });

  test('a container that cannot be searched is refused with its path, not freed in silence', () => {
    let made!: ReturnType<typeof tensor>;
    let error: unknown;
    try {
      scope(() => {
        made = tensor([5]);
        return { states: [{ cache: new WeakMap([[{}, made]]) }] };
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EddyError);
    expect((error as EddyError).code).toBe('E_ARGUMENT');
    expect((error as EddyError).message).toMatch(/WeakMap at result\.states\[0\]\.cache/);
    // The scope still ended: what it made is freed and the error says so before anyone uses it.
    expect(code(() => made.item())).toBe('E_SCOPE');
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
