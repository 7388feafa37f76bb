import { EddyError } from './errors.js';
import { checkOptions } from './options.js';

const PAGE = 65536;
/** wasm32 addresses at most 4 GiB; V8 allows 65536 pages. */
const MAX_PAGES = 65536;

/**
 * The arena owns the core's linear memory. Blocks are 16-byte aligned and come from free lists by
 * size class (sizes up to 512 bytes in steps of 16, then four classes per power of two, so at most
 * 25% is wasted) or, when none is free, from the top of memory, which grows on demand.
 *
 * Lifetimes: `scope(fn)` frees every block allocated inside it when it returns or throws, except
 * those `keep()` moved out; `free(ptr)` frees one block early. Blocks allocated outside any scope
 * live until freed. A training loop that allocates the same shapes every step therefore reuses the
 * same blocks, and memory stays flat.
 *
 * NOTE: `memory.grow` detaches every typed view of the old buffer: reads then give `undefined` and
 * writes are silently dropped. The views here are rebuilt whenever `memory.buffer` changed, so
 * always read `arena.f32` afresh (never keep a view across an allocation).
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  /** First byte the arena may hand out; below it is the module's static data. */
  readonly base: number;
  /** Upper bound on the arena's end, in bytes (for tests and embedders that cap memory). */
  readonly maxBytes: number;
  private top: number;
  private live = 0;
  private peak = 0;
  /** Size class of every live block, and the scope that owns it (null: no scope, lives until freed). */
  private readonly blocks = new Map<number, { size: number; scope: Set<number> | null }>();
  private readonly freeLists = new Map<number, number[]>();
  private readonly scopes: Array<Set<number>> = [];
  private buffer: ArrayBuffer | null = null;
  private views: { f32: Float32Array; i32: Int32Array; u8: Uint8Array } | null = null;

  constructor(memory: WebAssembly.Memory, base: number, options: { maxBytes?: number } = {}) {
    checkOptions('Arena', options, ['maxBytes']);
    this.memory = memory;
    this.base = align(base, 16);
    this.top = this.base;
    this.maxBytes = options.maxBytes ?? MAX_PAGES * PAGE;
  }

  /**
   * Allocates a block of at least `bytes` bytes (16-byte aligned) in the innermost scope;
   * contents are unspecified.
   */
  alloc(bytes: number): number {
    return this.allocIn(bytes, this.scopes.length > 0 ? this.scopes[this.scopes.length - 1] : null);
  }

  /** Allocates a block outside every scope: it lives until `free`d. */
  allocUnscoped(bytes: number): number {
    return this.allocIn(bytes, null);
  }

  /**
   * Allocates a block that lives exactly as long as the live block `owner` (in the same scope, or
   * in none): a parameter's gradient beside the parameter, an optimizer's state beside it.
   */
  allocBeside(owner: number, bytes: number): number {
    const block = this.blocks.get(owner);
    if (!block) throw new EddyError('E_SCOPE', `arena.allocBeside: ${owner} is not a live block`);
    return this.allocIn(bytes, block.scope);
  }

  private allocIn(bytes: number, scope: Set<number> | null): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new EddyError('E_ARGUMENT', `arena.alloc: bytes must be a non-negative integer, got ${bytes}`);
    }
    const size = sizeClass(bytes);
    let ptr = this.freeLists.get(size)?.pop();
    if (ptr === undefined) {
      const end = this.top + size;
      this.ensure(end, bytes);
      ptr = this.top;
      this.top = end;
    }
    scope?.add(ptr);
    this.blocks.set(ptr, { size, scope });
    this.live += size;
    if (this.live > this.peak) this.peak = this.live;
    return ptr;
  }

  /** Frees a block now (before its scope ends). */
  free(ptr: number): void {
    const block = this.blocks.get(ptr);
    if (!block) throw new EddyError('E_SCOPE', `arena.free: ${ptr} is not a live block (freed twice, or never allocated)`);
    block.scope?.delete(ptr);
    this.release(ptr, block.size);
  }

  /**
   * Moves a block out of the innermost scope into the one around it (or out of all scopes), so it
   * survives the scope's end: state carried across iterations, results returned from a scope.
   */
  keep(ptr: number): number {
    const block = this.blocks.get(ptr);
    if (!block) throw new EddyError('E_SCOPE', `arena.keep: ${ptr} is not a live block`);
    if (block.scope === null) return ptr;
    const at = this.scopes.lastIndexOf(block.scope);
    block.scope.delete(ptr);
    block.scope = at > 0 ? this.scopes[at - 1] : null;
    block.scope?.add(ptr);
    return ptr;
  }

  /** Whether `ptr` is a live block (allocated and not yet freed). */
  isLive(ptr: number): boolean {
    return this.blocks.has(ptr);
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

  /** Copies `data` into a fresh block and returns its offset. */
  fromF32(data: ArrayLike<number>): number {
    const ptr = this.allocF32(data.length);
    this.f32.set(data, ptr >>> 2);
    return ptr;
  }

  /** Copies `data` (int32) into a fresh block and returns its offset. */
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
   * Runs `fn`; every block it allocated (and did not `keep`) is freed when it returns or throws.
   * Scopes are synchronous: an async `fn` would free its memory at its first `await` while still
   * using it, so a returned promise is refused.
   */
  scope<T>(fn: () => T): T {
    const blocks = new Set<number>();
    this.scopes.push(blocks);
    try {
      const result = fn();
      if (result instanceof Promise) {
        result.catch(() => undefined);
        throw new EddyError('E_SCOPE', 'arena.scope: fn returned a promise; scopes are synchronous (memory would be freed at its first await)');
      }
      return result;
    } finally {
      const popped = this.scopes.pop();
      if (popped !== blocks) {
        // eslint-disable-next-line no-unsafe-finally
        throw new EddyError('E_SCOPE', 'arena.scope: scopes closed out of order');
      }
      for (const ptr of blocks) this.release(ptr, this.blocks.get(ptr)!.size);
    }
  }

  /** Bytes in live blocks now. */
  get used(): number {
    return this.live;
  }

  /** Highest `used` since creation or the last `resetPeak()`. */
  get highWater(): number {
    return this.peak;
  }

  /** Bytes of linear memory the arena has claimed from the top (live, free-listed and in between). */
  get reserved(): number {
    return this.top - this.base;
  }

  resetPeak(): void {
    this.peak = this.live;
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

  private release(ptr: number, size: number): void {
    this.blocks.delete(ptr);
    this.live -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  private current() {
    const buffer = this.memory.buffer;
    if (this.views === null || this.buffer !== buffer) {
      this.buffer = buffer;
      this.views = { f32: new Float32Array(buffer), i32: new Int32Array(buffer), u8: new Uint8Array(buffer) };
    }
    return this.views;
  }

  private ensure(end: number, requested: number): void {
    if (end > this.maxBytes) {
      throw new EddyError(
        'E_OUT_OF_MEMORY',
        `arena: cannot allocate ${requested} bytes: the arena is capped at ${this.maxBytes} bytes (${this.live} in use)`,
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
          `arena: linear memory could not grow from ${have} to ${end} bytes (${this.live} in use)`,
          { cause },
        );
      }
    }
  }
}

/** Block size for a request: 16-byte steps up to 512, then four classes per power of two. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, align(bytes, 16));
  if (b <= 512) return b;
  const step = 2 ** Math.floor(Math.log2(b)) / 4;
  return Math.ceil(b / step) * step;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
