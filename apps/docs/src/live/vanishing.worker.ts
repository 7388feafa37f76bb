/// <reference lib="webworker" />
// The vanishing-gradient page's worker: trains the three networks of MemoryTask and, every
// CURVE_EVERY_MS, measures ‖∂L/∂hₜ‖ over t and ρ(W_hh) of each on a fresh batch.
import { startCore } from './core.js';
import { MemoryTask } from './memory-task.js';
import type { FromWorker, ToWorker } from './protocol.js';

const CURVE_EVERY_MS = 2000;

let task: MemoryTask | null = null;
let controller: AbortController | null = null;

const post = (message: FromWorker): void => postMessage(message);

async function train(): Promise<void> {
  await startCore(post);
  const current = (task ??= new MemoryTask({ steps: 40 }));
  const abort = (controller = new AbortController());
  post({ type: 'gradients', step: 0, curves: current.gradientCurves() });
  let last = performance.now();
  const step = await current.train({
    signal: abort.signal,
    onEvent(e) {
      if (e.type !== 'step') return;
      post({ type: 'loss', step: e.step, loss: e.loss });
      if (performance.now() - last > CURVE_EVERY_MS) {
        post({ type: 'gradients', step: e.step, curves: current.gradientCurves() });
        last = performance.now();
      }
    },
  });
  post({ type: 'gradients', step, curves: current.gradientCurves() });
  post({ type: 'stopped', step });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === 'train') train().catch((e: Error) => post({ type: 'error', message: e.message }));
  else if (m.type === 'stop') controller?.abort();
};
