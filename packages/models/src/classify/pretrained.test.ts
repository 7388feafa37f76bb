import { manualSeed } from '@eddy/autograd';
import { parseWordVectors } from '@eddy/text';
import { describe, expect, test } from 'vitest';
import { Embedding } from '../layers/embedding.js';
import { loadPretrained } from './pretrained.js';

const glove = 'the 0.1 0.2 0.3\nfilm -1 0 1.5e-1\ngood 2 2 2\n';

describe('loadPretrained', () => {
  test('copies the rows of symbols found (exact, then lower-cased); the others and the padding row keep their values', () => {
    manualSeed(1);
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 0 });
    const before = emb.weight.toFloat32Array();
    const { vectors } = parseWordVectors(glove);
    vectors.set('<pad>', Float32Array.of(9, 9, 9));
    expect(loadPretrained(emb, vectors, ['<pad>', 'the', 'Film', 'bad', 'good'])).toEqual({ found: 3, missing: 1 });
    const w = emb.weight.toFloat32Array();
    expect(Array.from(w.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(w.subarray(3, 6)).toEqual(Float32Array.of(0.1, 0.2, 0.3));
    expect(w.subarray(6, 9)).toEqual(Float32Array.of(-1, 0, 0.15));
    expect(w.subarray(9, 12)).toEqual(before.subarray(9, 12));
    expect(w.subarray(12, 15)).toEqual(Float32Array.of(2, 2, 2));
  });

  test('a width other than the table\'s or a symbol list of another length throws', () => {
    const emb = new Embedding({ numEmbeddings: 2, embeddingDim: 4 });
    const { vectors } = parseWordVectors(glove);
    expect(() => loadPretrained(emb, vectors, ['the', 'x'])).toThrow(/vector of "the" must be a Float32Array of the embedding width 4/);
    expect(() => loadPretrained(emb, vectors, ['the'])).toThrow(/one entry per embedding row, 2, got 1/);
  });
});
