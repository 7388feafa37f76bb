import { EddyError } from '@eddy/autograd';
import { parseParallelLines, type ParallelExample, type ParallelPair, type Tokenizer } from '@eddy/text';
import { readDataFile, type Corpus } from '../../corpus.js';
import { CliError, reason } from '../../errors.js';
import { encodeTexts } from '../classify/data.js';

/** A parallel file as read: the file, and its pairs in order. */
export interface ParallelFile {
  corpus: Corpus;
  pairs: ParallelPair[];
}

/**
 * Reads `path` (`what`: "the training file", …; `verb`: "train on", …) as `source<TAB>target`
 * lines. A bad line ends in one sentence naming the file and the line; so does a file without pairs.
 */
export function readParallelFile(path: string, what: string, verb: string): ParallelFile {
  const corpus = readDataFile(path, what, verb);
  let pairs: ParallelPair[];
  try {
    pairs = parseParallelLines(corpus.text, { name: path }).pairs;
  } catch (e) {
    if (!(e instanceof EddyError) || e.code !== 'E_FORMAT') throw e;
    throw new CliError(`${what} ${reason(e).replace(/^parseParallelLines: /, '')}; each line must be source<TAB>target, both sides non-empty.`);
  }
  if (pairs.length === 0) throw new CliError(`${what} ${path} has no sentence pairs; give a file of source<TAB>target lines.`);
  return { corpus, pairs };
}

/**
 * The ids of both sides of each pair, cut to `maxLength` tokens (a side with no tokens reads as
 * one unknown token, so every pair stays in its place).
 */
export function encodePairs(tokenizer: Tokenizer, pairs: readonly ParallelPair[], maxLength: number): ParallelExample[] {
  const sources = encodeTexts(tokenizer, pairs.map((p) => p.source), maxLength);
  const targets = encodeTexts(tokenizer, pairs.map((p) => p.target), maxLength);
  return sources.map((source, i) => ({ source, target: targets[i] }));
}
