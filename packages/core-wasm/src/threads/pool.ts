import type { Core } from '../core.js';
import { EddyError } from '../errors.js';
import type { WorkerInit, WorkerReply } from './worker-body.js';

/**
 * A started worker as the pool sees it; the entries make them (worker_threads in Node, Web Workers
 * in browsers) from `workerSource`.
 */
export interface PoolWorker {
  postMessage(message: unknown): void;
  /** Calls `fn` with the worker's first message, or with an error if the worker failed to start. */
  onFirstMessage(fn: (reply: WorkerReply) => void): void;
  terminate(): void;
}

/** Starts one worker running the pool's worker body. */
export type SpawnWorker = () => PoolWorker;

// The control block's layout (byte offsets of i32 words), as assembly/gemm/parallel.ts reads it.
const GENERATION = 0;
const PENDING = 4;
const STOP = 8;
const THREADS = 12;
const SPIN = 16;
const WORK = 20;
const WORK_STRIDE = 24;
const RUNS = 28;
const CAN_BLOCK = 32;
/** Set by a worker whose share trapped (src/threads/worker-body.ts); the core never writes it. */
const FAILED = 36;
// 40–51: the team barrier of split recurrent time loops (the core's own); 52: how many ran;
// 64–255: their task block (the core's own).
const TEAM_GENERATION = 44;
const TEAMS = 52;
const JOBS = 256;
const JOB_BYTES = 64;

/**
 * Polls of a waiting thread before it sleeps in `memory.atomic.wait32` (a poll in the core's loop is a
 * few ns; 20 000 of them are tens of µs). Measured by `node bench/scripts/threads.mjs` (bench/README.md)
 * on this 2-core machine idle: waking a sleeping worker costs 60–90 µs — more than a whole 64³ product
 * — and a split 64³ SGEMM ran at 0.27× one thread without polling, 1.2–1.7× with 20 000 polls; at
 * n = 256, 1.1–1.4× against 1.9×. Under heavy load (13–15 on 2 cores) the wake-up cost ≈ 14 µs and
 * polling made it worse (20 000 polls: 41 µs): like OpenMP's default spin before sleeping, this
 * favours a machine whose cores the pool has to itself (`pool.spin = 0` for the other case).
 */
export const DEFAULT_SPIN = 20_000;

/**
 * The workers of a threaded core: `threads − 1` of them (the calling thread takes a share of every
 * split call), each in the core's `threads_worker` loop on its own instance of the module, on the
 * shared memory. The core's GEMMs split themselves (assembly/gemm/parallel.ts) once
 * `threads_configure` gave the main instance the control block; this class starts and stops the
 * workers and owns that block.
 */
export class WorkerPool {
  /** Threads that share a split call, the caller's included. */
  readonly threads: number;
  private readonly core: Core;
  private readonly workers: PoolWorker[];
  private readonly control: number;
  private stopped = false;

  private constructor(core: Core, workers: PoolWorker[], control: number) {
    this.core = core;
    this.workers = workers;
    this.control = control;
    this.threads = workers.length + 1;
  }

  /**
   * Starts `threads − 1` workers on `core` (a threads build on a shared memory) and makes its GEMMs
   * split over them; resolves when every one is waiting for work. Fails with E_LOAD (and stops the
   * ones that started) if any cannot start.
   */
  static async start(core: Core, module: WebAssembly.Module, threads: number, spawn: SpawnWorker): Promise<WorkerPool> {
    const { arena, exports: x } = core;
    const workers = threads - 1;
    // Scratch for the largest chunk a worker can get: the GEMM's blocking bounds it (≈ 2.3 MiB).
    const stride = Math.ceil((x.f32_gemm_workspace_bytes(1 << 20, 1 << 20, 1 << 20) >>> 0) / 64) * 64;
    const control = arena.allocUnscoped(JOBS + workers * JOB_BYTES);
    const work = arena.allocUnscoped(workers * stride);
    arena.u8.fill(0, control, control + JOBS + workers * JOB_BYTES);
    const ints = arena.i32;
    ints[(control + THREADS) >> 2] = threads;
    ints[(control + SPIN) >> 2] = DEFAULT_SPIN;
    ints[(control + WORK) >> 2] = work;
    ints[(control + WORK_STRIDE) >> 2] = stride;
    ints[(control + CAN_BLOCK) >> 2] = agentCanBlock() ? 1 : 0;
    const started: PoolWorker[] = [];
    try {
      const replies = [];
      for (let index = 0; index < workers; index++) {
        const worker = spawn();
        started.push(worker);
        replies.push(new Promise<WorkerReply>((resolve) => worker.onFirstMessage(resolve)));
        const init: WorkerInit = { module, memory: core.memory, control, index, pending: PENDING, failed: FAILED, teamGeneration: TEAM_GENERATION };
        worker.postMessage(init);
      }
      for (const reply of await Promise.all(replies)) {
        if (!reply.ready) throw new Error(reply.error);
      }
    } catch (cause) {
      for (const worker of started) worker.terminate();
      arena.free(control);
      arena.free(work);
      throw new EddyError('E_LOAD', `loadCore: a worker of the thread pool failed to start: ${(cause as Error).message}`, { cause });
    }
    x.threads_configure(control);
    return new WorkerPool(core, started, control);
  }

  /**
   * Throws E_POINTER (and clears the flag) if a worker's share of a split call trapped since the
   * last check: its part of the result is missing. The kernel wrappers call it after every call
   * that may split.
   */
  check(): void {
    const at = (this.control + FAILED) >> 2;
    if (Atomics.load(this.core.arena.i32, at) === 0) return;
    Atomics.store(this.core.arena.i32, at, 0);
    throw new EddyError('E_POINTER', 'core: a worker thread trapped in its share of a split kernel call (a bug in the wasm core); the result is incomplete');
  }

  /** Split calls made so far (tests check that a workload really split). */
  get runs(): number {
    return Atomics.load(this.core.arena.i32, (this.control + RUNS) >> 2);
  }

  /**
   * Fused recurrent time loops split over the threads so far (step products and gate updates by
   * hidden units, one barrier per step; each also counts as one split call in `runs`).
   */
  get teams(): number {
    return Atomics.load(this.core.arena.i32, (this.control + TEAMS) >> 2);
  }

  /** Polls before a waiting thread sleeps (the barrier benchmark varies it). */
  get spin(): number {
    return Atomics.load(this.core.arena.i32, (this.control + SPIN) >> 2);
  }

  set spin(polls: number) {
    Atomics.store(this.core.arena.i32, (this.control + SPIN) >> 2, polls);
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Stops splitting and the workers; the core then runs every call on the calling thread. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.core.exports.threads_configure(0);
    const ints = this.core.arena.i32;
    Atomics.store(ints, (this.control + STOP) >> 2, 1);
    Atomics.add(ints, (this.control + GENERATION) >> 2, 1);
    Atomics.notify(ints, (this.control + GENERATION) >> 2);
    for (const worker of this.workers) worker.terminate();
  }
}

/** Atomics.wait throws on a browser's main thread (before it compares the value, so this never sleeps). */
function agentCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, -1, 0);
    return true;
  } catch {
    return false;
  }
}
