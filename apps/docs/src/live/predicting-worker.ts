/// <reference lib="webworker" />
import { startCore } from './core.js';
import type { TrainOptions } from './page-training.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** How often a training worker answers the reader's input again, so the page shows the model learning. */
const PREDICT_EVERY_MS = 1000;

/** A live page's model: trains until stopped, and reads the reader's input. */
export interface PredictingModel {
  train(options: TrainOptions): Promise<number>;
}

/**
 * The worker of a page that trains a model and shows its reading of the reader's input (trees,
 * attention, sentence classes): `train` and `stop` messages run `trainLoop` through the model,
 * `predict` sets the input and is answered with `answer(model, input)` at once, every
 * PREDICT_EVERY_MS while training, and when training stops. The model is made on first use, after
 * the core is started (startCore: two threads where the page is isolated).
 */
export function servePredictingModel<M extends PredictingModel>(make: () => M, answer: (model: M, input: string) => FromWorker): void {
  let current: M | null = null;
  let controller: AbortController | null = null;
  let input = '';

  const post = (message: FromWorker): void => postMessage(message);
  const predict = (m: M) => post(answer(m, input));
  async function model(): Promise<M> {
    await startCore(post);
    return (current ??= make());
  }

  async function train(): Promise<void> {
    const m = await model();
    const abort = (controller = new AbortController());
    let last = performance.now();
    const step = await m.train({
      signal: abort.signal,
      onEvent(e) {
        if (e.type !== 'step') return;
        post({ type: 'loss', step: e.step, loss: e.loss });
        if (performance.now() - last > PREDICT_EVERY_MS) {
          predict(m);
          last = performance.now();
        }
      },
    });
    predict(m);
    post({ type: 'stopped', step });
  }

  self.onmessage = (event: MessageEvent<ToWorker>) => {
    const m = event.data;
    const fail = (e: Error) => post({ type: 'error', message: e.message });
    if (m.type === 'train') train().catch(fail);
    else if (m.type === 'stop') controller?.abort();
    else if (m.type === 'predict') {
      input = m.text;
      model().then(predict).catch(fail);
    }
  };
}
