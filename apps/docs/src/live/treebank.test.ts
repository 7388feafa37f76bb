import { Generator } from '@eddy/autograd';
import { toBracketString } from '@eddy/text';
import { describe, expect, it } from 'vitest';
import { makeTreebank, NEGATIVE, phraseOf, POSITIVE, randomSentence } from './treebank.js';

describe('the tree page\'s treebank', () => {
  it('labels every node by the grammar\'s rules: not flips, but takes the second clause', () => {
    expect(toBracketString(phraseOf('the film is not good')!)).toBe('(0 (1 (1 the) (1 film)) (0 (1 is) (0 (1 not) (2 good))))');
    expect(phraseOf('the plot is not very bad')!.labels[0]).toBe(POSITIVE);
    expect(phraseOf('good acting is great but the ending is dull')!.labels[0]).toBe(NEGATIVE);
    expect(phraseOf('the film is')).toBeNull();
    expect(phraseOf('film the is good')).toBeNull();
  });

  it('draws sentences of the grammar, the same for the same seed', () => {
    const rng = new Generator(3);
    for (let i = 0; i < 50; i++) expect(phraseOf(randomSentence(rng))).not.toBeNull();
    const a = makeTreebank(20, 1).map((t) => toBracketString(t));
    expect(makeTreebank(20, 1).map((t) => toBracketString(t))).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(10);
  });
});
