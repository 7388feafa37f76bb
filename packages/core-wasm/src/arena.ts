import { EddyError } from './errors.js';

const PAGE = 65536;
/** wasm32 addresses at most 4 GiB; V8 allows 65536 pages. */
const MAX_PAGES = 65536;

/**
 * The arena owns the core's linear memory: 16-byte aligned bump allocation, scopes that free
 * everything allocated inside them, and growth on demand.
 *
 * NOTE: `memory.grow` detaches every typed view of the old buffer: reads then give `undefined` and
 * writes are silently dropped. The views here are rebuilt whenever `memory.buffer` changed, so
 * always read `arena.f32` (never keep a view across an allocation).
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  /** First byte the arena may hand out; below it is the module's static data. */
  readonly base: number;
  /** Upper bound on the arena's end, in bytes (for tests and embedders that cap memory). */
  readonly maxBytes: number;
  private top: number;
  private peak: number;
  private readonly marks: number[] = [];
  private buffer: ArrayBuffer | null = null;
  private views: { f32: Float32Array; i32: Int32Array; u8: Uint8Array } | null = null;

  constructor(memory: WebAssembly.Memory, base: number, options: { maxBytes?: number } = {}) {
    this.memory = memory;
    this.base = align(base, 16);
    this.top = this.base;
    this.peak = this.base;
    this.maxBytes = options.maxBytes ?? MAX_PAGES * PAGE;
  }

  /** Allocates `bytes` (rounded up to 16) and returns the byte offset; contents are unspecified. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new EddyError('E_ARGUMENT', `arena.alloc: bytes must be a non-negative integer, got ${bytes}`);
    }
    const ptr = this.top;
    const end = ptr + align(bytes, 16);
    this.ensure(end);
    this.top = end;
    if (end > this.peak) this.peak = end;
    return ptr;
  }

  /** Allocates room for `n` float32 values. */
  allocF32(n: number): number {
    return this.alloc(n * 4);
  }

  /** Allocates `n` float32 values and zero-fills them. */
  zerosF32(n: number): number {
    const ptr = this.allocF32(n);
    this.f32.fill(0, ptr >>> 2, (ptr >>> 2) + n);
    return ptr;
  }

  /** Copies `data` into a fresh allocation and returns its offset. */
  fromF32(data: ArrayLike<number>): number {
    const ptr = this.allocF32(data.length);
    this.f32.set(data, ptr >>> 2);
    return ptr;
  }

  /** Copies `data` (int32) into a fresh allocation and returns its offset. */
  fromI32(data: ArrayLike<number>): number {
    const ptr = this.alloc(data.length * 4);
    this.i32.set(data, ptr >>> 2);
    return ptr;
  }

  /** A copy of `n` float32 values at `ptr`. */
  readF32(ptr: number, n: number): Float32Array {
    return this.f32.slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  /**
   * Runs `fn`; everything it allocated is freed when it returns or throws. Scopes are synchronous:
   * an async `fn` would free its memory at its first `await`, while it still uses it, so a returned
   * promise is refused.
   */
  scope<T>(fn: () => T): T {
    const depth = this.marks.length;
    this.marks.push(this.top);
    try {
      const result = fn();
      if (result instanceof Promise) {
        result.catch(() => undefined);
        throw new EddyError('E_SCOPE', 'arena.scope: fn returned a promise; scopes are synchronous (memory would be freed at its first await)');
      }
      return result;
    } finally {
      if (this.marks.length !== depth + 1) {
        // eslint-disable-next-line no-unsafe-finally
        throw new EddyError('E_SCOPE', `arena.scope: an inner scope was left open (depth ${this.marks.length}, expected ${depth + 1})`);
      }
      this.top = this.marks.pop()!;
    }
  }

  /** Bytes in use now. */
  get used(): number {
    return this.top - this.base;
  }

  /** Highest `used` since creation or the last `resetPeak()`. */
  get highWater(): number {
    return this.peak - this.base;
  }

  resetPeak(): void {
    this.peak = this.top;
  }

  get f32(): Float32Array {
    return this.current().f32;
  }

  get i32(): Int32Array {
    return this.current().i32;
  }

  get u8(): Uint8Array {
    return this.current().u8;
  }

  private current() {
    const buffer = this.memory.buffer;
    if (this.views === null || this.buffer !== buffer) {
      this.buffer = buffer;
      this.views = { f32: new Float32Array(buffer), i32: new Int32Array(buffer), u8: new Uint8Array(buffer) };
    }
    return this.views;
  }

  private ensure(end: number): void {
    if (end > this.maxBytes) {
      throw new EddyError(
        'E_OUT_OF_MEMORY',
        `arena: cannot allocate up to byte ${end}: the arena is capped at ${this.maxBytes} bytes (${this.used} in use)`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow geometrically so a growing workload does not call memory.grow on every allocation.
    const needPages = Math.ceil((end - have) / PAGE);
    const wantPages = Math.min(Math.max(needPages, Math.ceil(have / PAGE / 2)), MAX_PAGES - have / PAGE);
    try {
      this.memory.grow(Math.max(wantPages, needPages));
    } catch (cause) {
      try {
        this.memory.grow(needPages);
      } catch {
        throw new EddyError(
          'E_OUT_OF_MEMORY',
          `arena: linear memory could not grow from ${have} to ${end} bytes (${this.used} in use)`,
          { cause },
        );
      }
    }
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
