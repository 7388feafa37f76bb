import { describe, expect, it } from 'vitest';
import { EddyError, loadCoreSync } from '../src/index.node.js';

describe('Arena', () => {
  it('hands out 16-byte aligned, non-overlapping blocks at or above the heap base', () => {
    const { arena, exports } = loadCoreSync();
    expect(arena.base).toBeGreaterThanOrEqual(exports.heap_base());
    const a = arena.alloc(3);
    const b = arena.alloc(20);
    const c = arena.alloc(0);
    expect([a % 16, b % 16, c % 16]).toEqual([0, 0, 0]);
    expect(a).toBeGreaterThanOrEqual(arena.base);
    expect(b).toBeGreaterThanOrEqual(a + 3);
    expect(c).toBeGreaterThanOrEqual(b + 20);
  });

  it('scope frees everything allocated inside it, also when it throws', () => {
    const { arena } = loadCoreSync();
    const before = arena.used;
    const inner = arena.scope(() => {
      arena.alloc(1000);
      return arena.scope(() => arena.alloc(64));
    });
    expect(arena.used).toBe(before);
    expect(() =>
      arena.scope(() => {
        arena.alloc(128);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(arena.used).toBe(before);
    // The next allocation reuses the freed space.
    expect(arena.alloc(16)).toBeLessThanOrEqual(inner);
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
    expect((err as EddyError).message).toMatch(/capped at 1048576 bytes/);
    // The failed allocation left the arena usable.
    expect(arena.alloc(64)).toBeGreaterThanOrEqual(arena.base);
  });

  it('rejects a negative or fractional size', () => {
    const { arena } = loadCoreSync();
    expect(() => arena.alloc(-1)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => arena.alloc(1.5)).toThrow(/non-negative integer, got 1.5/);
  });

  it('refuses an async function, whose memory would be freed at its first await', () => {
    const { arena } = loadCoreSync();
    const before = arena.used;
    expect(() => arena.scope(async () => arena.alloc(64))).toThrow(expect.objectContaining({ code: 'E_SCOPE' }));
    expect(arena.used).toBe(before);
  });

  it('reports the high-water mark', () => {
    const { arena } = loadCoreSync();
    arena.resetPeak();
    const start = arena.used;
    arena.scope(() => arena.alloc(4096));
    expect(arena.used).toBe(start);
    expect(arena.highWater).toBe(start + 4096);
  });
});
