import { noGrad, scope, tensor } from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { Embedding } from '../layers/embedding.js';

/** What {@link loadPretrained} did. */
export interface PretrainedResult {
  /** Rows copied from a vector. */
  found: number;
  /** Rows without a vector (they keep their initial values). */
  missing: number;
}

/**
 * Copies pretrained word vectors (text's `parseWordVectors`, GloVe) into the rows of an embedding:
 * row i gets the vector of `symbols[i]` (its id in the vocabulary), or of its lower-cased form
 * when only that is listed (GloVe is lower-cased); rows without one keep their initial values, and
 * the padding row stays as it is (counted in neither). Vectors of another width than the table's
 * throw E_SHAPE; `symbols` must have one entry per row.
 *
 * @example
 * const { vectors } = parseWordVectors(readFileSync('glove.6B.100d.txt', 'utf8'));
 * const { found, missing } = loadPretrained(model.embedding, vectors, tokenizer.vocab.symbols());
 */
export function loadPretrained(embedding: Embedding, vectors: ReadonlyMap<string, Float32Array>, symbols: readonly string[]): PretrainedResult {
  const op = 'loadPretrained';
  if (!(embedding instanceof Embedding)) throw fail('E_ARGUMENT', `${op}: embedding must be an Embedding, got ${describe(embedding)}`);
  if (!(vectors instanceof Map)) throw fail('E_ARGUMENT', `${op}: vectors must be a Map of word → Float32Array, got ${describe(vectors)}`);
  if (!Array.isArray(symbols)) throw fail('E_ARGUMENT', `${op}: symbols must be an array of strings, got ${describe(symbols)}`);
  const { numEmbeddings: V, embeddingDim: E, paddingIdx } = embedding;
  if (symbols.length !== V) throw fail('E_SHAPE', `${op}: symbols must have one entry per embedding row, ${V}, got ${symbols.length}`);
  const table = embedding.weight.toFloat32Array();
  let found = 0;
  let missing = 0;
  for (let i = 0; i < V; i++) {
    if (i === paddingIdx) continue;
    const s = symbols[i];
    const v = vectors.get(s) ?? (typeof s === 'string' ? vectors.get(s.toLowerCase()) : undefined);
    if (v === undefined) {
      missing++;
      continue;
    }
    if (!(v instanceof Float32Array) || v.length !== E) {
      throw fail('E_SHAPE', `${op}: the vector of ${describe(s)} must be a Float32Array of the embedding width ${E}, got ${describe(v)}`);
    }
    table.set(v, i * E);
    found++;
  }
  noGrad(() => scope(() => void embedding.weight.copyFrom(tensor(table, [V, E]))));
  return { found, missing };
}
