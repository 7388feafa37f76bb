import { Arena } from './arena.js';
import { EddyError } from './errors.js';
import type { Features } from './features.js';
import type { Variant } from './variant.js';
import type { CoreExports } from './abi.js';
import { checkOptions } from './options.js';
import type { WorkerPool } from './threads/pool.js';

const CORE_OPTIONS = ['maxBytes'];

/**
 * A loaded core: the raw exports, the arena that owns its memory, and how it was chosen.
 * Kernel wrappers (`sgemm(core, …)` and friends) take it as their first argument.
 */
export class Core {
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  readonly variant: Variant;
  readonly features: Features;
  /**
   * Threads that run large kernel calls (the calling thread included): what `loadCore({ threads })`
   * could start, 1 when it fell back or was not asked for more.
   */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }
  /** Why the core runs on fewer threads than `loadCore` was asked for; undefined when it did not fall back. */
  readonly threadsFallback: string | undefined;
  private workerPool: WorkerPool | undefined;
  private scratchPtr = 0;
  private scratchBytes = 0;

  constructor(
    instance: WebAssembly.Instance, variant: Variant, features: Features, options: { maxBytes?: number } = {},
    threading: { fallback?: string } = {},
  ) {
    checkOptions('Core', options, CORE_OPTIONS);
    this.exports = instance.exports as unknown as CoreExports;
    this.memory = this.exports.memory;
    this.arena = new Arena(this.memory, this.exports.heap_base(), options);
    this.variant = variant;
    this.features = features;
    this.threadsFallback = threading.fallback;
  }

  /** @internal The workers that share this core's memory; set once by the threaded loader. */
  get pool(): WorkerPool | undefined {
    return this.workerPool;
  }

  /** @internal Gives a threaded core its started pool (its GEMMs already split over it). */
  attachPool(pool: WorkerPool): void {
    if (this.workerPool !== undefined) throw new EddyError('E_ARGUMENT', 'core: the core already has a thread pool');
    this.workerPool = pool;
  }

  /**
   * Stops the core's worker threads, if it has any; the core then runs every call on the calling
   * thread. Not needed before a Node script exits (the workers are unref'd); frees the threads of a
   * core that is no longer used.
   */
  close(): void {
    this.pool?.close();
  }

  /**
   * A scratch block of at least `bytes` bytes for one kernel call, reused by every call (kernels
   * run one at a time and never call each other), so small calls pay no allocation. Its contents are
   * unspecified and valid only until the next `scratch` call. It only grows; `releaseScratch` gives
   * it back.
   */
  scratch(bytes: number): number {
    if (this.scratchPtr === 0 || bytes > this.scratchBytes) {
      if (this.scratchPtr !== 0) this.arena.free(this.scratchPtr);
      this.scratchBytes = Math.max(bytes, 2 * this.scratchBytes, 256);
      this.scratchPtr = this.arena.allocUnscoped(this.scratchBytes);
    }
    return this.scratchPtr;
  }

  /** Frees the scratch block (after a large call, to give its memory back to the arena). */
  releaseScratch(): void {
    if (this.scratchPtr !== 0) this.arena.free(this.scratchPtr);
    this.scratchPtr = 0;
    this.scratchBytes = 0;
  }
}

/**
 * Imports the core needs: `env.abort`, called by failed checks in the debug build, and for the
 * threads builds the shared `env.memory`.
 */
export function coreImports(getMemory: () => WebAssembly.Memory | undefined, memory?: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      ...(memory === undefined ? {} : { memory }),
      abort(messagePtr: number, filePtr: number, line: number, column: number) {
        const memory = getMemory();
        const text = (ptr: number) => (memory && ptr ? readAsString(memory, ptr) : '');
        throw new EddyError(
          'E_POINTER',
          `core: a checked access failed in the wasm core (${text(messagePtr) || 'abort'} at ${text(filePtr)}:${line}:${column})`,
        );
      },
    },
  };
}

/** AssemblyScript strings are UTF-16 with their byte length 4 bytes before the pointer. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/**
 * Wraps an instance made with `coreImports`; the loaders differ only in how they get the module.
 * A module given by URL or bytes may be another build than the one asked for: whether it has relaxed
 * SIMD is the difference that changes results, so that is checked.
 */
export function createCore(
  instance: WebAssembly.Instance,
  variant: Variant,
  features: Features,
  options: { maxBytes?: number },
  threading: { fallback?: string } = {},
): Core {
  // The loaders pass their whole LoadOptions; the core keeps only its own.
  const core = new Core(instance, variant, features, { maxBytes: options.maxBytes }, threading);
  const relaxed = core.exports.has_relaxed_simd() === 1;
  if (relaxed !== (variant === 'relaxed')) {
    throw new EddyError(
      'E_LOAD',
      relaxed
        ? `loadCore: the module is the relaxed build, but the ${variant} build was chosen; pass variant: 'relaxed' and deterministic: false`
        : "loadCore: the module is not the relaxed build that variant 'relaxed' asks for (it lacks relaxed SIMD)",
    );
  }
  return core;
}

/** Instantiates synchronously (Node, workers); browsers' main threads must use `instantiateAsync`. */
export function instantiateSync(
  module: WebAssembly.Module, variant: Variant, features: Features, options: { maxBytes?: number }, fallback?: string,
): Core {
  let core: Core | undefined;
  try {
    const instance = new WebAssembly.Instance(module, coreImports(() => core?.memory));
    return (core = createCore(instance, variant, features, options, { fallback }));
  } catch (cause) {
    throw loadError(variant, cause);
  }
}

export async function instantiateAsync(
  module: WebAssembly.Module,
  variant: Variant,
  features: Features,
  options: { maxBytes?: number },
  fallback?: string,
): Promise<Core> {
  let core: Core | undefined;
  try {
    const instance = await WebAssembly.instantiate(module, coreImports(() => core?.memory));
    return (core = createCore(instance, variant, features, options, { fallback }));
  } catch (cause) {
    throw loadError(variant, cause);
  }
}

export function loadError(variant: Variant, cause: unknown): EddyError {
  if (cause instanceof EddyError) return cause;
  return new EddyError('E_LOAD', `loadCore: the ${variant} core failed to instantiate: ${(cause as Error).message}`, { cause });
}
