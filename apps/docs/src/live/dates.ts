import { Generator, manualSeed, optim } from '@eddy/autograd';
import { Seq2Seq } from '@eddy/models';
import { parallelBatches, Vocab, type ParallelBatch } from '@eddy/text';
import { batchInTurn, PageTraining, type TrainOptions } from './page-training.js';

// Live page 4's task and model: a character-level Seq2Seq with attention that learns to rewrite
// dates ("3 May 1999" → "1999-05-03"), on pairs the page draws itself.

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A random date as the reader writes it and in ISO 8601 (years 1900–2099, days 1–28 so every month has them). */
export function randomDate(rng: Generator): { source: string; target: string } {
  const day = 1 + rng.nextInt(28);
  const month = rng.nextInt(12);
  const year = 1900 + rng.nextInt(200);
  const two = (n: number) => String(n).padStart(2, '0');
  return { source: `${day} ${MONTHS[month]} ${year}`, target: `${year}-${two(month + 1)}-${two(day)}` };
}

/** Every character of the sources and targets: one vocabulary serves both sides. */
const CHARS = [...new Set([...MONTHS.join(''), ...'0123456789 -'])].sort();

/** The model's rewriting of one source: its output and, per output character, the attention over the source. */
export interface DateTranslation {
  source: string;
  /** The output characters; the last row of `attention` is the end-of-output step when it was emitted. */
  output: string;
  /** One row per output step (end included when emitted), each source.length weights summing to 1. */
  attention: Float32Array[];
  /** Whether the model emitted its end token (else it stopped at the length cap). */
  ended: boolean;
}

const BATCH = 32;

/**
 * The attention page's model: a character Seq2Seq (LSTM, H = 48, Bahdanau attention) trained with
 * `trainLoop` on `pairs` random dates, which rewrites the reader's date and returns its attention map.
 */
export class DateTranslator {
  readonly vocab = new Vocab(CHARS);
  readonly model: Seq2Seq;
  private readonly training: PageTraining;

  constructor(options: { pairs?: number; seed?: number } = {}) {
    const { pairs = 3200, seed = 0 } = options;
    manualSeed(seed);
    const rng = new Generator(seed);
    const data = Array.from({ length: pairs }, () => randomDate(rng)).map(({ source, target }) => ({ source: this.encode(source), target: this.encode(target) }));
    // One batch per BATCH consecutive random pairs: bucketing all the pairs by source length would
    // fill each batch with months of one name length, and the months were then learned slower
    // (after 100 steps "3 May 1999" came out as 1999-03-03).
    const batches: ParallelBatch[] = [];
    for (let i = 0; i < data.length; i += BATCH) batches.push(...parallelBatches(data.slice(i, i + BATCH), { batchSize: BATCH, shuffle: false }));
    const V = this.vocab.size;
    this.model = new Seq2Seq({ sourceVocabSize: V, targetVocabSize: V, hiddenSize: 48, embeddingSize: 16, attention: 'bahdanau' });
    const optimizer = new optim.Adam(this.model.parameters(), { lr: 0.02 });
    this.training = new PageTraining({ optimizer, loss: (step) => this.model.loss(batchInTurn(batches, step)).loss, clip: 5 });
  }

  /** Character ids (an unknown character becomes UNK). */
  encode(text: string): Int32Array {
    return Int32Array.from(text, (c) => this.vocab.id(c));
  }

  train(options: TrainOptions): Promise<number> {
    return this.training.train(options);
  }

  /** The greedy rewriting of `source` and its attention map, or null for an empty source. */
  translate(source: string): DateTranslation | null {
    if (source.length === 0) return null;
    const [[best]] = this.model.translate([this.encode(source)], { maxLength: 16 });
    const output = Array.from(best.tokens, (id) => this.vocab.symbol(id)).join('');
    return { source, output, attention: best.attention, ended: best.attention.length > best.tokens.length };
  }
}
