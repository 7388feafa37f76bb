import { loadPretrained, type Embedding } from '@eddy/models';
import { parseWordVectors } from '@eddy/text';
import { readDataFile } from '../../corpus.js';
import { CliError, reason } from '../../errors.js';

// `--embeddings FILE` (GloVe text format) for every command that trains word embeddings.

/** What a checkpoint records of the vectors a run started from. */
export interface EmbeddingsRecord {
  path: string;
  sha256: string;
  found: number;
  missing: number;
}

/** Loads the vectors of `path` into `embedding` (row i is the word `symbols[i]`); returns what the checkpoint records of it. */
export function loadEmbeddings(path: string, embedding: Embedding, symbols: readonly string[], dim: number): EmbeddingsRecord {
  const file = readDataFile(path, 'the embeddings file', 'read word vectors from');
  let vectors;
  try {
    vectors = parseWordVectors(file.text, { dim });
  } catch (e) {
    throw new CliError(`the embeddings file ${path} cannot be read as word vectors (${reason(e)}); give a GloVe text file: a word and ${dim} numbers per line.`);
  }
  const { found, missing } = loadPretrained(embedding, vectors.vectors, symbols);
  return { path, sha256: file.sha256, found, missing };
}

/** The size of the vectors in a GloVe text file: the number of values on its first line. */
export function vectorSize(path: string): number {
  const text = readDataFile(path, 'the embeddings file', 'read word vectors from').text;
  const first = text.slice(0, text.indexOf('\n') >>> 0).trim().split(/\s+/);
  return Math.max(1, first.length - 1);
}
