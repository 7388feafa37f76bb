import { Generator } from '@eddy/autograd';
import { parseTree, type Tree } from '@eddy/text';

/** Sentiment classes of the page's treebank. */
export const NEGATIVE = 0, NEUTRAL = 1, POSITIVE = 2;
export const CLASS_NAMES = ['negative', 'neutral', 'positive'];

const POSITIVE_WORDS = ['good', 'great', 'fine', 'lovely', 'brilliant', 'funny'];
const NEGATIVE_WORDS = ['bad', 'awful', 'dull', 'boring', 'terrible', 'silly'];
const NOUNS = ['film', 'plot', 'story', 'acting', 'ending', 'music'];
/** Every word the grammar uses. */
export const WORDS = [...POSITIVE_WORDS, ...NEGATIVE_WORDS, ...NOUNS, 'the', 'is', 'not', 'very', 'but'];

const polarity = (word: string) => (POSITIVE_WORDS.includes(word) ? POSITIVE : NEGATIVE_WORDS.includes(word) ? NEGATIVE : NEUTRAL);
const flip = (label: number) => 2 - label;

/** A labelled phrase in bracket notation and its label. */
interface Phrase {
  text: string;
  label: number;
}

const leaf = (word: string): Phrase => ({ text: `(${polarity(word)} ${word})`, label: polarity(word) });
const node = (label: number, ...kids: Phrase[]): Phrase => ({ text: `(${label} ${kids.map((k) => k.text).join(' ')})`, label });

/**
 * The page's small sentiment grammar, labelled at every node by its rules (the project's own
 * treebank: nothing is downloaded):
 *
 *     S    → S' | S' but S'            "A but B" takes B's sentiment
 *     S'   → NP (is AdjP)              the sentence takes AdjP's sentiment
 *     NP   → the noun | adj noun       "the" is neutral; "adj noun" takes adj's
 *     AdjP → adj | very AdjP | not AdjP   "not" flips positive and negative
 *
 * `phraseOf` builds the tree of a sentence of the grammar (or returns null), `randomSentence` draws one.
 */
function parseAdjP(words: string[]): Phrase | null {
  if (words.length === 1 && polarity(words[0]) !== NEUTRAL) return leaf(words[0]);
  if (words.length < 2) return null;
  const rest = parseAdjP(words.slice(1));
  if (rest === null) return null;
  if (words[0] === 'very') return node(rest.label, leaf('very'), rest);
  if (words[0] === 'not') return node(flip(rest.label), leaf('not'), rest);
  return null;
}

function parseClause(words: string[]): Phrase | null {
  if (words.length < 4 || words[2] !== 'is' || !NOUNS.includes(words[1])) return null;
  if (words[0] !== 'the' && polarity(words[0]) === NEUTRAL) return null;
  const np = node(polarity(words[0]), leaf(words[0]), leaf(words[1]));
  const adjp = parseAdjP(words.slice(3));
  if (adjp === null) return null;
  return node(adjp.label, np, node(adjp.label, leaf('is'), adjp));
}

/** The labelled tree of a sentence of the grammar, or null when the sentence is not in it. */
export function phraseOf(sentence: string): Tree | null {
  const words = sentence.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const but = words.indexOf('but');
  let phrase: Phrase | null;
  if (but < 0) phrase = parseClause(words);
  else {
    const [a, b] = [parseClause(words.slice(0, but)), parseClause(words.slice(but + 1))];
    phrase = a && b ? node(b.label, a, node(b.label, leaf('but'), b)) : null;
  }
  return phrase === null ? null : parseTree(phrase.text);
}

/** A random sentence of the grammar (drawn from `rng`). */
export function randomSentence(rng: Generator): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.nextDouble() * xs.length)];
  const clause = () => {
    const adjectives = [...POSITIVE_WORDS, ...NEGATIVE_WORDS];
    const subject = rng.nextDouble() < 0.5 ? 'the' : pick(adjectives);
    const modifiers: string[] = [];
    while (modifiers.length < 3 && rng.nextDouble() < 0.45) modifiers.push(rng.nextDouble() < 0.6 ? 'not' : 'very');
    return [subject, pick(NOUNS), 'is', ...modifiers, pick(adjectives)].join(' ');
  };
  return rng.nextDouble() < 0.3 ? `${clause()} but ${clause()}` : clause();
}

/** `count` random labelled trees of the grammar. */
export function makeTreebank(count: number, seed: number): Tree[] {
  const rng = new Generator(seed);
  return Array.from({ length: count }, () => phraseOf(randomSentence(rng))!);
}
