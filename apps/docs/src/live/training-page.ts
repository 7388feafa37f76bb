import { onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue';
import { useLossHistory } from './loss-history.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** What a live page tells {@link useTrainingPage}. */
export interface TrainingPageOptions {
  /** Makes the page's worker: `new Worker(new URL('…worker.ts', import.meta.url), { type: 'module' })`, written at the page so Vite bundles it. */
  worker: () => Worker;
  /** The page's own messages (samples, cells, trees, translations, …). */
  onMessage?: (message: FromWorker) => void;
  /** After training ends: `stopped` true when it stopped, false after an error. */
  onEnd?: (stopped: boolean) => void;
  /** The reader's input, sent as a `predict` message once the worker exists and on every change. */
  input?: Ref<string>;
  /** The status line before the first run. Default 'Not trained yet.'. */
  idle?: string;
}

/** The `train` message of a page whose worker trains on data of its own (no text to learn, no sampling). */
export const TRAIN_OWN_DATA: ToWorker = { type: 'train', text: '', temperature: 1 };

/** What {@link useTrainingPage} gives a page (and its LiveFrame). */
export type TrainingPage = ReturnType<typeof useTrainingPage>;

/**
 * The part every live page shares: its worker (made on mount, ended on unmount), the Train/Stop
 * state, the status line, the thread count the worker reports (`core`), and the loss history (`loss`);
 * `stopped` and `error` end a run. The page's other messages go to `onMessage`.
 */
export function useTrainingPage(options: TrainingPageOptions) {
  const training = ref(false);
  const threads = ref<number | null>(null);
  const status = ref(options.idle ?? 'Not trained yet.');
  const history = useLossHistory();
  const worker = shallowRef<Worker | null>(null);
  const send = (message: ToWorker) => worker.value?.postMessage(message);
  /** Starts a run with `message` (a `train` message). */
  function start(message: ToWorker) {
    training.value = true;
    status.value = 'Training…';
    send(message);
  }
  /** The Train/Stop toggle: stops a run, or starts one with `message`. */
  function toggle(message: ToWorker = TRAIN_OWN_DATA) {
    if (training.value) send({ type: 'stop' });
    else start(message);
  }
  const input = options.input;
  if (input !== undefined) watch(input, (text) => send({ type: 'predict', text }));
  function end(stopped: boolean, text: string) {
    training.value = false;
    status.value = text;
    options.onEnd?.(stopped);
  }
  onMounted(() => {
    const w = options.worker();
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'core') threads.value = m.threads;
      else if (m.type === 'loss') history.push(m.step, m.loss);
      else if (m.type === 'stopped') end(true, `Stopped after ${m.step} steps.`);
      else if (m.type === 'error') end(false, `Error: ${m.message}`);
      else options.onMessage?.(m);
    };
    worker.value = w;
    if (input !== undefined) send({ type: 'predict', text: input.value });
  });
  onBeforeUnmount(() => worker.value?.terminate());
  return { training, threads, status, history, input, send, start, toggle };
}
