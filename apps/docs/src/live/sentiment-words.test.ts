import { describe, expect, it } from 'vitest';
import { phraseOf, POSITIVE } from './treebank.js';
import { SentimentWords, sentimentCorpus, wordsOf } from './sentiment-words.js';

describe('the classifier page\'s SentimentWords', () => {
  it('labels the grammar\'s sentences by their root and reads words without punctuation', () => {
    for (const { text, label } of sentimentCorpus(40, 2)) expect(label).toBe(phraseOf(text)!.labels[0] === POSITIVE ? 1 : 0);
    expect(wordsOf('The film is NOT good, at all.')).toEqual(['the', 'film', 'is', 'not', 'good', 'at', 'all']);
  });

  it('learns: the loss falls, and each word of a sentence gets a weight (summing to 1)', async () => {
    const words = new SentimentWords({ sentences: 200, seed: 1 });
    const losses: number[] = [];
    await words.train({ steps: 80, onEvent: (e) => e.type === 'step' && losses.push(e.loss) });
    expect(losses.slice(-10).reduce((a, b) => a + b) / 10).toBeLessThan(0.7 * losses[0]);
    const read = words.classify('The plot is not very good.')!;
    expect(read.words).toEqual(['the', 'plot', 'is', 'not', 'very', 'good']);
    expect(read.weights).toHaveLength(6);
    expect(read.weights.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(read.probability).toBeGreaterThanOrEqual(0.5);
    expect(words.classify(' ,. ')).toBeNull();
  });

  it('the page\'s model, trained 300 steps, classifies right and weighs most the adjective that ends the deciding phrase', async () => {
    const words = new SentimentWords();
    await words.train({ steps: 300 });
    const heaviest = (r: { words: string[]; weights: number[] }) => r.words[r.weights.indexOf(Math.max(...r.weights))];
    const negated = words.classify('the film is not very bad')!;
    expect([negated.label, heaviest(negated)]).toEqual([1, 'bad']);
    const but = words.classify('the acting is good but the plot is not very good')!;
    expect(but.label).toBe(0);
    expect(but.weights.slice(-1)[0]).toBeGreaterThan(but.weights[3]);   // the second clause's "good" over the first's
  });
});
