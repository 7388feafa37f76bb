import { EddyError } from '@eddy/autograd';
import { parseLabelledLines, UNK, type ClassificationExample, type Tokenizer } from '@eddy/text';
import { readDataFile, type Corpus } from '../../corpus.js';
import { CliError, reason } from '../../errors.js';

/** How a file of labelled lines is laid out (`--format`). */
export type LineFormat = 'label-first' | 'tsv';

/** A file of labelled lines as read: the file, and its examples in order. */
export interface LabelledFile {
  corpus: Corpus;
  labels: string[];
  texts: string[];
}

/**
 * Reads `path` (`what`: "the training file", …; `verb`: "train on", …) as labelled lines. A bad
 * line ends in one sentence naming the file and the line; so does a file without examples.
 */
export function readLabelledFile(path: string, what: string, verb: string, format: LineFormat): LabelledFile {
  const corpus = readDataFile(path, what, verb);
  let parsed;
  try {
    parsed = parseLabelledLines(corpus.text, { format });
  } catch (e) {
    if (!(e instanceof EddyError) || e.code !== 'E_FORMAT') throw e;
    const hint = format === 'label-first' ? 'each line must be a label, a tab or a space, then the text' : 'each line must be label<TAB>text';
    throw new CliError(`${what} ${path} ${reason(e).replace(/^parseLabelledLines: /, 'has a bad line: ')}; ${hint} (or give --format).`);
  }
  return { corpus, ...parsed };
}

/** The classes of a training file: its distinct labels, in natural order (`2` before `10`, `neg` before `pos`). */
export function labelSet(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Each label's class index in `classes`; a label outside them ends in one sentence naming it. */
export function classIndices(labels: readonly string[], classes: readonly string[], where: string): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(labels, (label, i) => {
    const k = index.get(label);
    if (k === undefined) {
      throw new CliError(
        `${where} has the label ${JSON.stringify(label)} (example ${i + 1}), which the classifier does not know: its labels are ${classes.map((c) => JSON.stringify(c)).join(', ')}; ` +
          'remove those examples, or train on a file that has that label.',
      );
    }
    return k;
  });
}

/**
 * The ids of each text, cut to `maxLength`. A text with no tokens (an empty line to predict) is
 * read as one unknown word, so that every line gets an answer in its place.
 */
export function encodeTexts(tokenizer: Tokenizer, texts: readonly string[], maxLength: number): Int32Array[] {
  return texts.map((t) => {
    const ids = tokenizer.encode(t);
    if (ids.length === 0) return Int32Array.of(UNK);
    return ids.length > maxLength ? ids.slice(0, maxLength) : ids;
  });
}

/** Examples from ids and class indices, for classificationBatches. */
export function examplesOf(ids: readonly Int32Array[], classes: Int32Array): ClassificationExample[] {
  return ids.map((x, i) => ({ ids: x, label: classes[i] }));
}
