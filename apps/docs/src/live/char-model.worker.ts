/// <reference lib="webworker" />
// The worker of the character-model and cell pages: training runs here so the page never freezes. One model per
// text; Train resumes it, Stop aborts trainLoop between two steps. A sample is streamed every
// SAMPLE_EVERY_MS of training, at the page's current temperature.
import { startCore } from './core.js';
import { CharModel } from './char-model.js';
import type { FromWorker, ToWorker } from './protocol.js';

const SAMPLE_EVERY_MS = 1500;
const SAMPLE_LENGTH = 240;

let model: CharModel | null = null;
let controller: AbortController | null = null;
let temperature = 0.8;

const post = (message: FromWorker): void => postMessage(message);

async function train(text: string): Promise<void> {
  await startCore(post);
  if (model === null || model.text !== text) {
    model?.dispose();
    model = new CharModel(text);
  }
  const current = model;
  const abort = (controller = new AbortController());
  let lastSample = performance.now();
  const step = await current.train({
    signal: abort.signal,
    onEvent(e) {
      if (e.type !== 'step') return;
      post({ type: 'loss', step: e.step, loss: e.loss });
      if (performance.now() - lastSample > SAMPLE_EVERY_MS) {
        post({ type: 'sample', step: e.step, text: current.sample(SAMPLE_LENGTH, temperature) });
        lastSample = performance.now();
      }
    },
  });
  post({ type: 'sample', step, text: current.sample(SAMPLE_LENGTH, temperature) });
  post({ type: 'stopped', step });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === 'train') {
    temperature = m.temperature;
    train(m.text).catch((e: Error) => post({ type: 'error', message: e.message }));
  } else if (m.type === 'stop') {
    controller?.abort();
  } else if (m.type === 'record') {
    if (model === null) post({ type: 'error', message: 'train the model before recording its cells' });
    else {
      const cells = model.cells(m.text);
      postMessage({ type: 'cells', text: m.text, hiddenSize: model.lm.options.hiddenSize, cells } satisfies FromWorker, [cells.buffer]);
    }
  } else if (m.type === 'temperature') {
    temperature = m.value;
  }
};
