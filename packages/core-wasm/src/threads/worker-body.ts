// What every pool worker runs, in Node (worker_threads, `eval: true`) and in browsers (a Web Worker
// from a Blob URL). Shipped as the source text of `workerMain`, so there is no worker file for a
// bundler to copy or a server to serve: it must therefore not import anything or close over
// anything, and receives the control block's layout in its first message.

/** The first (and only) message a worker gets. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The pool's control block in the shared memory (assembly/gemm/parallel.ts reads its layout). */
  control: number;
  /** This worker's slot (0-based). */
  index: number;
  /** Byte offsets in the control block of the pending count, the failure flag and the team barrier's generation. */
  pending: number;
  failed: number;
  teamGeneration: number;
}

/** A worker's answer to its init message: ready, or why it could not start. */
export type WorkerReply = { ready: true } | { ready: false; error: string };

/**
 * The worker's whole program: `port` is Node's `parentPort` or a Web Worker's global scope. Runs in
 * the worker; never called on the main thread. It instantiates the module on the shared memory and
 * enters the core's own worker loop, which returns only when the pool stops.
 */
function workerMain(port: { postMessage(message: unknown): void }, node: boolean): void {
  const start = (init: WorkerInit): void => {
    let loop: (control: number, index: number, generation: number) => void;
    try {
      // `abort` is called only by the checked debug build, which pools never run.
      const env = { memory: init.memory, abort: () => { throw new Error('abort'); } };
      const instance = new WebAssembly.Instance(init.module, { env });
      loop = instance.exports.threads_worker as typeof loop;
    } catch (e) {
      port.postMessage({ ready: false, error: String((e as Error)?.message ?? e) });
      return;
    }
    // Read before saying ready: the main thread may start the first call as soon as it hears.
    let generation = Atomics.load(new Int32Array(init.memory.buffer), init.control >> 2);
    port.postMessage({ ready: true });
    for (;;) {
      try {
        loop(init.control, init.index, generation);
        return; // the pool stopped
      } catch {
        // A trap in this worker's share (a bug: arguments were checked at the boundary). Say so,
        // count this worker done so that the caller does not wait forever, and serve the next call.
        const ints = new Int32Array(init.memory.buffer);
        generation = Atomics.load(ints, init.control >> 2);
        Atomics.store(ints, (init.control + init.failed) >> 2, 1);
        // Teammates waiting for this worker at a time step's barrier: wake them (they see the flag).
        Atomics.add(ints, (init.control + init.teamGeneration) >> 2, 1);
        Atomics.notify(ints, (init.control + init.teamGeneration) >> 2);
        if (Atomics.sub(ints, (init.control + init.pending) >> 2, 1) === 1) Atomics.notify(ints, (init.control + init.pending) >> 2);
      }
    }
  };

  if (node) {
    (port as unknown as { once(event: string, fn: (data: WorkerInit) => void): void }).once('message', start);
  } else {
    const scope = globalThis as unknown as { onmessage: ((event: { data: WorkerInit }) => void) | null };
    scope.onmessage = (event) => {
      scope.onmessage = null;
      start(event.data);
    };
  }
}

/**
 * The worker's source text for Node (`eval: true`) or a browser. Node's port is required inside the
 * string, where bundlers of a page do not look for it.
 */
export function workerSource(runtime: 'node' | 'browser'): string {
  const port = runtime === 'node' ? "require('node:worker_threads').parentPort" : 'self';
  return `(${workerMain.toString()})(${port}, ${runtime === 'node'});\n`;
}
