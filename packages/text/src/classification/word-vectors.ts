import { checkInt, checkOptions, describe, fail } from '../errors.js';

/** The widest vectors `parseWordVectors` reads (GloVe and fastText stop at 300). */
export const MAX_VECTOR_DIM = 4096;
/** The most words `parseWordVectors` keeps without a `maxWords` option (GloVe 840B has 2.2 M). */
export const MAX_WORD_VECTORS = 2_500_000;

/** Options of {@link parseWordVectors}. */
export interface WordVectorOptions {
  /** Keep the first `maxWords` vectors and stop reading (files list frequent words first). Default all, up to `MAX_WORD_VECTORS`. */
  maxWords?: number;
  /** The expected width; a file of another width throws E_FORMAT. Default: the first vector's. */
  dim?: number;
}

/** Pretrained vectors by word. */
export interface WordVectors {
  dim: number;
  vectors: Map<string, Float32Array>;
}

// A decimal number as GloVe, word2vec and fastText write them (no hex, no Infinity, no NaN).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads word vectors in the GloVe text format: one word per line, then its values, separated by
 * spaces (word2vec's and fastText's `.vec` text files too: their first line "count dim" is
 * skipped). Blank lines are skipped; the first occurrence of a repeated word wins.
 *
 * The file is untrusted: a line with a ragged width, a value that is not a finite decimal number,
 * or a width above `MAX_VECTOR_DIM` throws E_FORMAT naming the line (from 1); more than
 * `MAX_WORD_VECTORS` words without `maxWords` throws E_FORMAT too. The vectors take at most as
 * much memory as the text they came from (4 bytes a value, against at least two UTF-16 characters).
 *
 * @example
 * const { dim, vectors } = parseWordVectors(readFileSync('glove.6B.100d.txt', 'utf8'), { maxWords: 100_000 });
 * loadPretrained(model.embedding, vectors, tokenizer.vocab.symbols()); // @eddy/models
 */
export function parseWordVectors(text: string, options: WordVectorOptions = {}): WordVectors {
  const op = 'parseWordVectors';
  if (typeof text !== 'string') throw fail('E_ARGUMENT', `${op}: text must be a string, got ${describe(text)}`);
  const o = checkOptions(op, options, ['maxWords', 'dim']);
  const maxWords = o.maxWords === undefined ? Infinity : checkInt(op, 'maxWords', o.maxWords, 1);
  let dim = o.dim === undefined ? 0 : checkInt(op, 'dim', o.dim, 1, MAX_VECTOR_DIM);
  const vectors = new Map<string, Float32Array>();
  let start = 0;
  for (let line = 1; start < text.length && vectors.size < maxWords; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '') continue;
    const fields = content.split(/[ \t]+/, MAX_VECTOR_DIM + 2);
    if (line === 1 && fields.length === 2 && /^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1])) continue; // word2vec header
    const width = fields.length - 1;
    const where = `${op}: line ${line}`;
    if (width === 0) throw fail('E_FORMAT', `${where}: expected a word then its values, got only ${describe(fields[0])}`);
    if (width > MAX_VECTOR_DIM) throw fail('E_FORMAT', `${where}: more than MAX_VECTOR_DIM = ${MAX_VECTOR_DIM} values`);
    if (dim === 0) dim = width;
    else if (width !== dim) throw fail('E_FORMAT', `${where}: expected ${dim} values after the word (the width ${o.dim === undefined ? 'of the first vector' : 'asked for'}), got ${width}`);
    const word = fields[0];
    if (vectors.has(word)) continue;
    if (vectors.size === MAX_WORD_VECTORS) {
      throw fail('E_FORMAT', `${where}: more than MAX_WORD_VECTORS = ${MAX_WORD_VECTORS} words; pass maxWords to keep the first ones`);
    }
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      const field = fields[i + 1];
      const x = Number(field);
      if (!Number.isFinite(x) || !DECIMAL.test(field)) throw fail('E_FORMAT', `${where}: value ${i + 1} of ${describe(word)} must be a finite decimal number, got ${describe(field)}`);
      v[i] = x;
    }
    vectors.set(word, v);
  }
  if (vectors.size === 0) throw fail('E_FORMAT', `${op}: no word vectors in the text`);
  return { dim, vectors };
}
