/** Messages from a live page to its worker. */
export type ToWorker =
  | { type: 'train'; text: string; temperature: number }
  | { type: 'stop' }
  | { type: 'temperature'; value: number };

/** Messages from a worker to its page. */
export type FromWorker =
  | { type: 'loss'; step: number; loss: number }
  | { type: 'sample'; step: number; text: string }
  | { type: 'stopped'; step: number }
  | { type: 'error'; message: string };
