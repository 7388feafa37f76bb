import { EddyError } from '../errors.js';
import { FAILED, FUNCTION, GENERATION, MAX_ARGS, PENDING, SPIN, STOP, controlLayout } from './control.js';
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

/**
 * Polls of a waiting thread before it sleeps. Measured by `npm run bench -w bench -- barrier`
 * (bench/README.md): a wake-up through Atomics.wait/notify cost ≈ 30–60 µs here, a poll that finds
 * the work within its budget ≈ 1 µs, and 20 000 polls are ≈ 30 µs of one core.
 */
export const DEFAULT_SPIN = 0;

/**
 * The workers of a threaded core: `threads − 1` of them, since the calling thread takes a share of
 * every split call. A call is `setCall(w, fn, args)` for each worker that has work, then `run(own)`,
 * which wakes them, runs the caller's own share and returns when all are done. Calls never overlap
 * (kernels run one at a time), so one control block serves them all.
 */
export class WorkerPool {
  /** Threads that run a split call, the caller's included. */
  readonly threads: number;
  readonly names: readonly string[];
  private readonly ints: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: PoolWorker[];
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  private readonly canBlock: boolean;
  private readonly indices: ReadonlyMap<string, number>;
  private stopped = false;
  /** Split calls run so far (tests check that a workload really split). */
  runs = 0;

  private constructor(workers: PoolWorker[], control: SharedArrayBuffer, names: readonly string[]) {
    this.workers = workers;
    this.threads = workers.length + 1;
    this.names = names;
    this.indices = new Map(names.map((name, i) => [name, i]));
    const layout = controlLayout(workers.length);
    this.ints = new Int32Array(control, 0, layout.argsOffset / 4);
    this.args = new Float64Array(control, layout.argsOffset, workers.length * MAX_ARGS);
    this.canBlock = agentCanBlock(this.ints);
  }

  /**
   * Starts `workers` workers on `module` and the shared `memory`, each able to run the exports
   * `names`; resolves when every one has instantiated the module. Fails with E_LOAD (and stops the
   * ones that started) if any cannot.
   */
  static async start(spawn: SpawnWorker, workers: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[]): Promise<WorkerPool> {
    const layout = controlLayout(workers);
    const control = new SharedArrayBuffer(layout.bytes);
    const ints = new Int32Array(control);
    Atomics.store(ints, SPIN, DEFAULT_SPIN);
    for (let w = 0; w < workers; w++) ints[FUNCTION + w] = -1;
    const started: PoolWorker[] = [];
    try {
      const replies = [];
      for (let index = 0; index < workers; index++) {
        const worker = spawn();
        started.push(worker);
        replies.push(new Promise<WorkerReply>((resolve) => worker.onFirstMessage(resolve)));
        const init: WorkerInit = {
          module, memory, control, names: [...names], index,
          layout: {
            generation: GENERATION, pending: PENDING, failed: FAILED, stop: STOP, spin: SPIN, fn: FUNCTION,
            argsOffset: layout.argsOffset, maxArgs: MAX_ARGS,
          },
        };
        worker.postMessage(init);
      }
      for (const reply of await Promise.all(replies)) {
        if (!reply.ready) throw new Error(reply.error);
      }
    } catch (cause) {
      for (const worker of started) worker.terminate();
      throw new EddyError('E_LOAD', `loadCore: a worker of the thread pool failed to start: ${(cause as Error).message}`, { cause });
    }
    return new WorkerPool(started, control, names);
  }

  /** Workers besides the calling thread. */
  get workerCount(): number {
    return this.workers.length;
  }

  /** The index `setCall` takes for the export `name`; -1 if the workers cannot run it. */
  indexOf(name: string): number {
    return this.indices.get(name) ?? -1;
  }

  /** Sets worker `w`'s call for the next `run`: export `names[fn]` with `args` (at most MAX_ARGS numbers). */
  setCall(w: number, fn: number, args: ArrayLike<number>): void {
    this.ints[FUNCTION + w] = fn;
    const base = w * MAX_ARGS;
    for (let i = 0; i < args.length; i++) this.args[base + i] = args[i];
  }

  /**
   * Wakes the workers, runs `own` (the caller's share) and waits for all of them. Workers whose slot
   * was not set since the last run do nothing. A worker whose call threw makes this throw E_POINTER
   * (a trap in the core: the arguments were checked, so it is a bug).
   */
  run(own: () => void): void {
    if (this.stopped) throw new EddyError('E_LOAD', 'core: the thread pool was closed');
    const ints = this.ints;
    this.runs++;
    Atomics.store(ints, PENDING, this.workers.length);
    Atomics.add(ints, GENERATION, 1);
    Atomics.notify(ints, GENERATION);
    let error: unknown;
    try {
      own();
    } catch (e) {
      error = e;
    }
    this.join();
    for (let w = 0; w < this.workers.length; w++) ints[FUNCTION + w] = -1;
    if (error !== undefined) throw error;
    if (Atomics.exchange(ints, FAILED, 0) !== 0) {
      throw new EddyError('E_POINTER', 'core: a kernel call failed in a worker thread (a trap in the wasm core)');
    }
  }

  private join(): void {
    const ints = this.ints;
    for (let n = Atomics.load(ints, SPIN); n > 0 && Atomics.load(ints, PENDING) !== 0; n--);
    for (let left = Atomics.load(ints, PENDING); left !== 0; left = Atomics.load(ints, PENDING)) {
      if (this.canBlock) Atomics.wait(ints, PENDING, left);
    }
  }

  /** Polls before sleeping, for the waiting threads (the barrier benchmark varies it). */
  set spin(polls: number) {
    Atomics.store(this.ints, SPIN, polls);
  }

  get spin(): number {
    return Atomics.load(this.ints, SPIN);
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Stops the workers. The pool cannot run calls afterwards. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ints, STOP, 1);
    Atomics.add(this.ints, GENERATION, 1);
    Atomics.notify(this.ints, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}

/** Atomics.wait throws on a browser's main thread (before it compares the value, so this never sleeps). */
function agentCanBlock(ints: Int32Array): boolean {
  try {
    Atomics.wait(ints, FAILED, -1, 0);
    return true;
  } catch {
    return false;
  }
}
