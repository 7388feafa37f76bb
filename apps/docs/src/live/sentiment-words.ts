import { Generator, manualSeed, noGrad, optim, scope, tensor } from '@eddy/autograd';
import { SequenceClassifier } from '@eddy/models';
import { classificationBatches, Vocab, type ClassificationExample } from '@eddy/text';
import { batchInTurn, PageTraining, type TrainOptions } from './page-training.js';
import { phraseOf, POSITIVE, randomSentence, WORDS } from './treebank.js';

// The classifier page's model: a SequenceClassifier with attention pooling trained on whole
// sentences of the tree page's grammar (treebank.ts), each labelled only by its root's sentiment.

/** The page's two classes (the grammar's sentences are never neutral at the root). */
export const LABELS = ['negative', 'positive'];

/** The reader's sentence as words: lower case, punctuation dropped. */
export function wordsOf(sentence: string): string[] {
  return sentence.toLowerCase().split(/[^a-z']+/).filter(Boolean);
}

/** `count` sentences of the grammar, each with its label: 1 when the sentence is positive. */
export function sentimentCorpus(count: number, seed: number): Array<{ text: string; label: number }> {
  const rng = new Generator(seed);
  return Array.from({ length: count }, () => {
    const text = randomSentence(rng);
    return { text, label: phraseOf(text)!.labels[0] === POSITIVE ? 1 : 0 };
  });
}

/** A sentence classified: its words, the attention pooling's weight of each, and the label's probability. */
export interface WordWeights {
  words: string[];
  /** α of each word (they sum to 1). */
  weights: number[];
  label: number;
  /** The probability of `label`. */
  probability: number;
}

const BATCH = 25;

/**
 * An LSTM classifier (attention pooling, E = 16, H = 24) trained with `trainLoop` on `sentences`
 * random sentences of the grammar; it classifies the reader's sentence and says how much each word
 * weighs in the pooled vector. One direction, so that the state at a word has read only the words
 * up to it: the weight then falls where the deciding phrase ends ("not very *bad*"), which a
 * reader can check; a bidirectional state anywhere holds the whole sentence, and the weights pick
 * an arbitrary word.
 */
export class SentimentWords {
  readonly vocab = new Vocab(WORDS);
  readonly model: SequenceClassifier;
  private readonly training: PageTraining;

  constructor(options: { sentences?: number; seed?: number } = {}) {
    const { sentences = 800, seed = 0 } = options;
    manualSeed(seed);
    const examples: ClassificationExample[] = sentimentCorpus(sentences, seed).map(({ text, label }) => ({ ids: this.encode(wordsOf(text)), label }));
    const batches = classificationBatches(examples, { batchSize: BATCH, seed });
    this.model = new SequenceClassifier({
      vocabSize: this.vocab.size, numClasses: 2, embeddingSize: 16, hiddenSize: 24, pooling: 'attention',
    });
    // AMSGrad: plain Adam at lr 0.01 let the loss spike back to 0.8 after ~2 000 steps in the page,
    // and at lr 0.005 it learned slower (mean loss 0.13 over steps 250–500 against 0.009 here).
    const optimizer = new optim.Adam(this.model.parameters(), { lr: 0.01, amsgrad: true });
    const loss = (step: number) => {
      const b = batchInTurn(batches, step);
      return this.model.loss(tensor(b.ids, [b.steps, b.batchSize], { dtype: 'int32' }), b.lengths, b.labels);
    };
    this.training = new PageTraining({ optimizer, loss, clip: 5 });
  }

  private encode(words: string[]): Int32Array {
    return Int32Array.from(words, (w) => this.vocab.id(w));
  }

  train(options: TrainOptions): Promise<number> {
    return this.training.train(options);
  }

  /** The class of `sentence`, its probability and each word's attention weight, or null without words. */
  classify(sentence: string): WordWeights | null {
    const words = wordsOf(sentence);
    if (words.length === 0) return null;
    const ids = this.encode(words);
    return scope(() => {
      const x = tensor(ids, [ids.length, 1], { dtype: 'int32' });
      const { labels, probabilities } = this.model.predict(x, [ids.length]);
      // The model has no dropout, so the training mode does not change the weights.
      const weights = noGrad(() => this.model.forward(x, [ids.length]).weights!.toFloat32Array());
      return { words, weights: Array.from(weights), label: labels[0], probability: probabilities[labels[0]] };
    });
  }
}
