/// <reference lib="webworker" />
// The sentiment-tree page's worker: trains SentimentTrees and draws the reader's sentence with the
// model's prediction at every node, on request and every PREDICT_EVERY_MS while training.
import { ready } from '@eddy/models';
import { SentimentTrees } from './sentiment-trees.js';
import type { FromWorker, ToWorker } from './protocol.js';

const PREDICT_EVERY_MS = 1000;

let trees: SentimentTrees | null = null;
let controller: AbortController | null = null;
let sentence = '';

const post = (message: FromWorker): void => postMessage(message);
const predict = (current: SentimentTrees) => post({ type: 'tree', text: sentence, nodes: current.predict(sentence) });

async function model(): Promise<SentimentTrees> {
  await ready();
  return (trees ??= new SentimentTrees());
}

async function train(): Promise<void> {
  const current = await model();
  const abort = (controller = new AbortController());
  let last = performance.now();
  const step = await current.train({
    signal: abort.signal,
    onEvent(e) {
      if (e.type !== 'step') return;
      post({ type: 'loss', step: e.step, loss: e.loss });
      if (performance.now() - last > PREDICT_EVERY_MS) {
        predict(current);
        last = performance.now();
      }
    },
  });
  predict(current);
  post({ type: 'stopped', step });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  const fail = (e: Error) => post({ type: 'error', message: e.message });
  if (m.type === 'train') train().catch(fail);
  else if (m.type === 'stop') controller?.abort();
  else if (m.type === 'predict') {
    sentence = m.text;
    model().then(predict).catch(fail);
  }
};
