import { Generator, manualSeed, optim } from '@eddy/autograd';
import { disposeState, LanguageModel, recordStates, windowTraining, type LmState, type WindowTraining } from '@eddy/models';
import { CharTokenizer, createSampler, generate, LmBatcher } from '@eddy/text';
import { PageTraining, type TrainOptions } from './page-training.js';

/** The sizes of the live pages' character model: small enough to learn visibly within seconds on one core. */
export interface CharModelOptions {
  hiddenSize?: number;
  batchSize?: number;
  seqLen?: number;
  learningRate?: number;
  seed?: number;
}

/**
 * A character-level LSTM language model over one text, trained in steps that can be stopped and
 * resumed: the live pages' workers (and the site's Node tests) drive it. Training is `trainLoop`
 * over `windowTraining`, the same loop `eddy train` runs; sampling is text's `generate`, as
 * `eddy sample` does.
 */
export class CharModel {
  readonly tokenizer: CharTokenizer;
  readonly lm: LanguageModel;
  private readonly windows: WindowTraining;
  private readonly training: PageTraining;
  private readonly rng: Generator;

  constructor(readonly text: string, options: CharModelOptions = {}) {
    const { hiddenSize = 96, batchSize = 16, seqLen = 32, learningRate = 1e-2, seed = 0 } = options;
    manualSeed(seed);
    this.tokenizer = CharTokenizer.fromCorpus(text);
    const ids = this.tokenizer.encode(text);
    this.lm = new LanguageModel({ vocabSize: this.tokenizer.vocab.size, hiddenSize, cell: 'lstm' });
    const optimizer = new optim.Adam(this.lm.parameters(), { lr: learningRate });
    const batcher = new LmBatcher(ids, { batchSize, seqLen, randomOffset: true, seed });
    this.windows = windowTraining(this.lm, () => batcher.next());
    this.training = new PageTraining({ optimizer, loss: this.windows.loss, afterStep: this.windows.afterStep, clip: 5 });
    this.rng = new Generator(seed);
  }

  /** Trains until `signal` aborts or `seconds` pass, reporting every step's loss through `onEvent`. */
  train(options: TrainOptions): Promise<number> {
    return this.training.train(options);
  }

  /** `length` characters sampled at `temperature`, primed with the text's first character. */
  sample(length: number, temperature: number): string {
    let last: LmState | null = null;
    const step = (id: number, state: LmState | null) => {
      const r = this.lm.advance([id], state); // frees `state`
      last = r.state;
      return r;
    };
    const prime = this.tokenizer.encode(this.text.slice(0, 1));
    const ids = [...generate({ prime, steps: length, step, initialState: null, sampler: createSampler({ temperature }), rng: this.rng })];
    disposeState(last);
    return this.tokenizer.decode(ids);
  }

  /**
   * The memory cells c_t after each character of `text` ([T, H] row-major), recorded without
   * changing the model. Characters the model never saw read as unknown.
   */
  cells(text: string): Float32Array {
    return recordStates(this.lm, this.tokenizer.encode(text)).layers[0].c!;
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.windows.dispose();
    this.lm.dispose();
  }
}
