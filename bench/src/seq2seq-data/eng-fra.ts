import { readFileSync } from 'node:fs';
import type { TextPair } from './split.js';

// The data of PyTorch's "NLP From Scratch: Translation with a Sequence to Sequence Network and
// Attention" tutorial (intermediate/seq2seq_translation_tutorial.py), rebuilt from the eng-fra file
// in shared/data: the same normalisation and the same filter, translating French → English.

/** The tutorial's English prefixes, after normalisation ("i'm" becomes "i m"). */
export const ENG_PREFIXES = ['i am ', 'i m ', 'he is', 'he s ', 'she is', 'she s ', 'you are', 'you re ', 'we are', 'we re ', 'they are', 'they re '] as const;

/** The tutorial's MAX_LENGTH: a sentence is kept when it splits into fewer tokens than this. */
export const MAX_LENGTH = 10;

/**
 * The tutorial's normalizeString: lowercase and trim, strip accents (NFD, drop the combining marks,
 * Unicode category Mn), put a space before . ! ?, replace every run of anything but ASCII letters,
 * ! and ? by one space (this drops the '.', as the current tutorial does), trim.
 */
export function normalizeString(s: string): string {
  return s.toLowerCase().trim().normalize('NFD').replace(/\p{Mn}/gu, '')
    .replace(/([.!?])/g, ' $1')
    .replace(/[^a-zA-Z!?]+/g, ' ')
    .trim();
}

/** The tutorial's filterPair on an (English, French) pair after normalisation. */
export function keepPair(english: string, french: string): boolean {
  return english.split(' ').length < MAX_LENGTH && french.split(' ').length < MAX_LENGTH && ENG_PREFIXES.some((p) => english.startsWith(p));
}

/**
 * The filtered pairs of an `English<TAB>French[<TAB>attribution]` file, normalised, as
 * French → English (source French). As the tutorial, repeated pairs stay (split held-out data by
 * source, the default of heldOutSplit, so a French sentence is never on both sides).
 */
export function engFraPairs(text: string): TextPair[] {
  const pairs: TextPair[] = [];
  for (const line of text.split('\n')) {
    const [en, fr] = line.split('\t');
    if (fr === undefined) continue;
    const english = normalizeString(en);
    const french = normalizeString(fr);
    if (!keepPair(english, french)) continue;
    pairs.push({ source: french, target: english });
  }
  return pairs;
}

/** The filtered pairs of the file at `path` (shared/data/eng-fra/fra.txt). */
export function readEngFra(path: string): TextPair[] {
  return engFraPairs(readFileSync(path, 'utf8'));
}
