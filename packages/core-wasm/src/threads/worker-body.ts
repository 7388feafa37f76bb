// What every pool worker runs, in Node (worker_threads, `eval: true`) and in browsers (a Web Worker
// from a Blob URL). Shipped as the source text of `workerMain`, so there is no worker file for a
// bundler to copy or a server to serve: it must therefore not import anything or close over
// anything, and receives the control block's layout in its first message.

/** The first (and only) message a worker gets. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** The core exports this worker may be asked to run, by index. */
  names: string[];
  /** This worker's slot (0-based). */
  index: number;
  layout: { generation: number; pending: number; failed: number; stop: number; spin: number; fn: number; argsOffset: number; maxArgs: number };
}

/** A worker's answer to its init message: ready, or why it could not start. */
export type WorkerReply = { ready: true } | { ready: false; error: string };

/**
 * The worker's whole program: `port` is Node's `parentPort` or a Web Worker's global scope. Runs in
 * the worker; never called on the main thread.
 */
function workerMain(port: { postMessage(message: unknown): void }, node: boolean): void {
  const start = (init: WorkerInit): void => {
    const { layout, index } = init;
    let fns: Array<(...args: number[]) => void>;
    try {
      // `abort` is called only by the checked debug build, which pools never run.
      const env = { memory: init.memory, abort: () => { throw new Error('abort'); } };
      const instance = new WebAssembly.Instance(init.module, { env });
      fns = init.names.map((name) => instance.exports[name] as (...args: number[]) => void);
    } catch (e) {
      port.postMessage({ ready: false, error: String((e as Error)?.message ?? e) });
      return;
    }
    const ints = new Int32Array(init.control);
    const args = new Float64Array(init.control, layout.argsOffset + index * layout.maxArgs * 8, layout.maxArgs);
    // Read before saying ready: the main thread may start the first call as soon as it hears.
    let generation = Atomics.load(ints, layout.generation);
    port.postMessage({ ready: true });
    for (;;) {
      // Poll a little before sleeping: a wake-up from Atomics.wait costs tens of microseconds, a
      // recurrent step's barrier comes every few.
      for (let n = Atomics.load(ints, layout.spin); n > 0 && Atomics.load(ints, layout.generation) === generation; n--);
      while (Atomics.load(ints, layout.generation) === generation) Atomics.wait(ints, layout.generation, generation);
      generation = Atomics.load(ints, layout.generation);
      if (Atomics.load(ints, layout.stop) !== 0) return;
      const fn = ints[layout.fn + index];
      if (fn >= 0) {
        try {
          const a = args;
          fns[fn](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
        } catch {
          Atomics.store(ints, layout.failed, 1);
        }
      }
      if (Atomics.sub(ints, layout.pending, 1) === 1) Atomics.notify(ints, layout.pending);
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
