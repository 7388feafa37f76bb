import { describe, expect, it } from 'vitest';
import { EddyError, loadCoreSync } from '../src/index.node.js';
import { sizeClass } from '../src/arena.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as EddyError).code;
  }
  return undefined;
}

describe('Arena', () => {
  it('hands out 16-byte aligned, non-overlapping blocks at or above the heap base', () => {
    const { arena, exports } = loadCoreSync();
    expect(arena.base).toBeGreaterThanOrEqual(exports.heap_base());
    const a = arena.alloc(3);
    const b = arena.alloc(20);
    const c = arena.alloc(0);
    expect([a % 16, b % 16, c % 16]).toEqual([0, 0, 0]);
    expect(a).toBeGreaterThanOrEqual(arena.base);
    const spans = [[a, 3], [b, 20], [c, 1]].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][0] + spans[i - 1][1]);
  });

  it('size classes waste at most 25% above 512 bytes and 15 bytes below', () => {
    for (const bytes of [0, 1, 16, 17, 500, 513, 777, 1000, 4097, 123457, 10_000_000]) {
      const size = sizeClass(bytes);
      expect(size).toBeGreaterThanOrEqual(Math.max(bytes, 16));
      expect(size % 16).toBe(0);
      expect(size).toBeLessThanOrEqual(bytes <= 512 ? Math.max(16, bytes + 15) : bytes * 1.25 + 16);
    }
  });

  it('scope frees everything allocated inside it, also when it throws', () => {
    const { arena } = loadCoreSync();
    const before = arena.used;
    const inner = arena.scope(() => {
      arena.alloc(1000);
      return arena.scope(() => arena.alloc(64));
    });
    expect(arena.used).toBe(before);
    expect(arena.isLive(inner)).toBe(false);
    expect(() =>
      arena.scope(() => {
        arena.alloc(128);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(arena.used).toBe(before);
    // The next block of the same size class reuses the freed one.
    expect(arena.alloc(64)).toBe(inner);
  });

  it('keep moves a block out to the enclosing scope, so it survives the inner one', () => {
    const { arena } = loadCoreSync();
    let kept = 0;
    let inner = 0;
    arena.scope(() => {
      kept = arena.scope(() => arena.keep(arena.fromF32([1, 2, 3])));
      expect(arena.isLive(kept)).toBe(true);
      expect(Array.from(arena.readF32(kept, 3))).toEqual([1, 2, 3]);
      inner = kept;
    });
    expect(arena.isLive(inner)).toBe(false);
    const forever = arena.scope(() => arena.keep(arena.alloc(32)));
    expect(arena.isLive(forever)).toBe(true);
    arena.free(forever);
    expect(arena.isLive(forever)).toBe(false);
  });

  it('a training-loop pattern keeps memory flat: same shapes every step reuse the same blocks', () => {
    const { arena } = loadCoreSync();
    const weights = arena.allocF32(1000);
    let state = arena.zerosF32(64);
    arena.resetPeak();
    const reservedAfterFirst: number[] = [];
    for (let step = 0; step < 2000; step++) {
      arena.scope(() => {
        const activations = arena.allocF32(5000 + (step % 7) * 10); // lengths vary a little
        const grads = arena.allocF32(1000);
        const next = arena.keep(arena.allocF32(64));
        arena.f32[next >>> 2] = arena.f32[state >>> 2] + 1 + 0 * activations * grads;
        arena.free(state);
        state = next;
      });
      if (step % 500 === 0) reservedAfterFirst.push(arena.reserved);
    }
    expect(arena.f32[state >>> 2]).toBe(2000);
    expect(new Set(reservedAfterFirst).size).toBe(1);
    expect(arena.isLive(weights)).toBe(true);
  });

  it('allocBeside gives a block the lifetime of its owner', () => {
    const { arena } = loadCoreSync();
    const param = arena.alloc(64);
    let grad = 0;
    let scratch = 0;
    arena.scope(() => {
      grad = arena.allocBeside(param, 64);
      scratch = arena.alloc(64);
    });
    expect(arena.isLive(grad)).toBe(true);
    expect(arena.isLive(scratch)).toBe(false);
    let inner = 0;
    let beside = 0;
    arena.scope(() => {
      inner = arena.alloc(16);
      arena.scope(() => {
        beside = arena.allocBeside(inner, 16);
      });
      expect(arena.isLive(beside)).toBe(true);
    });
    expect(arena.isLive(beside)).toBe(false);
  });

  it('free and keep reject blocks that are not live', () => {
    const { arena } = loadCoreSync();
    const p = arena.alloc(16);
    arena.free(p);
    expect(codeOf(() => arena.free(p))).toBe('E_SCOPE');
    expect(codeOf(() => arena.keep(p))).toBe('E_SCOPE');
    expect(() => arena.free(12345)).toThrow(/not a live block/);
  });

  it('grows memory on demand and rebuilds views, so writes after growth are kept', () => {
    const { arena, memory } = loadCoreSync();
    const first = arena.fromF32([1, 2, 3]);
    const stale = arena.f32; // a view of the buffer before growth
    const pagesBefore = memory.buffer.byteLength / 65536;
    const big = arena.allocF32(3 * 65536); // forces memory.grow
    expect(memory.buffer.byteLength / 65536).toBeGreaterThan(pagesBefore);
    // The old view is detached: it silently drops writes and reads nothing — the trap the arena guards.
    expect(stale.length).toBe(0);
    stale[0] = 42;
    expect(stale[0]).toBeUndefined();
    // Fresh views see the old data and keep new writes.
    expect(Array.from(arena.readF32(first, 3))).toEqual([1, 2, 3]);
    arena.f32[(big >>> 2) + 3 * 65536 - 1] = 7;
    expect(arena.readF32(big + (3 * 65536 - 1) * 4, 1)[0]).toBe(7);
  });

  it('throws E_OUT_OF_MEMORY with the sizes when it cannot grow', () => {
    const { arena } = loadCoreSync({ maxBytes: 1 << 20 });
    let err: unknown;
    try {
      arena.alloc(2 << 20);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EddyError);
    expect((err as EddyError).code).toBe('E_OUT_OF_MEMORY');
    expect((err as EddyError).message).toMatch(/cannot allocate 2097152 bytes: the arena is capped at 1048576 bytes/);
    // The failed allocation left the arena usable.
    expect(arena.alloc(64)).toBeGreaterThanOrEqual(arena.base);
  });

  it('rejects a negative or fractional size', () => {
    const { arena } = loadCoreSync();
    expect(codeOf(() => arena.alloc(-1))).toBe('E_ARGUMENT');
    expect(() => arena.alloc(1.5)).toThrow(/non-negative integer, got 1.5/);
  });

  it('refuses an async function, whose memory would be freed at its first await', () => {
    const { arena } = loadCoreSync();
    const before = arena.used;
    expect(codeOf(() => arena.scope(async () => arena.alloc(64)))).toBe('E_SCOPE');
    expect(arena.used).toBe(before);
  });

  it('reports the high-water mark of live bytes', () => {
    const { arena } = loadCoreSync();
    arena.resetPeak();
    const start = arena.used;
    arena.scope(() => arena.alloc(4096));
    expect(arena.used).toBe(start);
    expect(arena.highWater).toBe(start + 4096);
  });
});

describe('Core.scratch', () => {
  it('reuses one block for every kernel call and grows it only when asked for more', () => {
    const core = loadCoreSync();
    const first = core.scratch(100);
    expect(core.scratch(64)).toBe(first);
    const usedBefore = core.arena.used;
    const bigger = core.scratch(1 << 16);
    expect(core.arena.isLive(first)).toBe(first === bigger);
    expect(core.arena.used - usedBefore).toBeGreaterThanOrEqual((1 << 16) - 256);
    // Scratch lives outside scopes: a scope neither frees it nor is charged for it.
    const inScope = core.arena.scope(() => core.scratch(10));
    expect(inScope).toBe(bigger);
    expect(core.arena.isLive(bigger)).toBe(true);
    core.releaseScratch();
    expect(core.arena.isLive(bigger)).toBe(false);
  });
});
