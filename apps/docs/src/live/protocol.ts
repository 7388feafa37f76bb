import type { MemoryNetworkKey } from './memory-task.js';
import type { DrawnNode } from './sentiment-trees.js';
import type { DateTranslation } from './dates.js';
import type { WordWeights } from './sentiment-words.js';

/** Messages from a live page to its worker. */
export type ToWorker =
  | { type: 'train'; text: string; temperature: number }
  | { type: 'stop' }
  | { type: 'temperature'; value: number }
  /** The cell page: record the model's cells over `text` (answered with `cells`). */
  | { type: 'record'; text: string }
  /**
   * The model's reading of the reader's `text`: the tree page's class at every node (answered with
   * `tree`), the attention page's translation (`translation`), the classifier page's label and word
   * weights (`words`).
   */
  | { type: 'predict'; text: string };

/** ‖∂L/∂hₜ‖ over t of one network, and ρ of its recurrent weights. */
export interface GradientCurve {
  key: MemoryNetworkKey;
  norms: number[];
  radius: number;
}

/** Messages from a worker to its page. */
export type FromWorker =
  /** The core the worker trains on: its thread count, and why not more when it fell back. */
  | { type: 'core'; threads: number; note: string | null }
  | { type: 'loss'; step: number; loss: number }
  | { type: 'sample'; step: number; text: string }
  | { type: 'stopped'; step: number }
  | { type: 'error'; message: string }
  /** Cell values after each character of `text`, [T, H] row-major. */
  | { type: 'cells'; text: string; hiddenSize: number; cells: Float32Array }
  | { type: 'gradients'; step: number; curves: GradientCurve[] }
  /** The reader's sentence drawn with the model's predictions, or null when it is not in the grammar. */
  | { type: 'tree'; text: string; nodes: DrawnNode[] | null }
  /** The reader's source rewritten, with its attention map (null for an empty source). */
  | { type: 'translation'; translation: DateTranslation | null }
  /** The reader's sentence classified, with the attention pooling's weight of each word (null when it has no word). */
  | { type: 'words'; words: WordWeights | null };
