import fc from 'fast-check';
import { parseLabelledLines } from './classification/labelled-lines.js';
import { parseWordVectors } from './classification/word-vectors.js';
import { eddyErrorOf, type FuzzTarget } from './test-fuzz.js';

// The classification-file fuzz targets, shared by the suite's fuzz test and the bench's long mode:
// a word-vector or labelled-lines file, valid or hostile, ends in checked results or E_FORMAT.

const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('0x1f', 'NaN', 'Infinity', '-Infinity', '1e999', '', '1,5', '٣', '1e', '.', '-'),
);
const word = fc.oneof(fc.string({ maxLength: 8, unit: 'grapheme' }), fc.constantFrom('__proto__', 'constructor', 'the', ','));
const vectorLine = fc.tuple(word, fc.array(number, { maxLength: 6 }), fc.constantFrom(' ', '\t', '  ')).map(([w, v, separator]) => [w, ...v].join(separator));
const file = fc.array(fc.oneof({ weight: 5, arbitrary: vectorLine }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), { maxLength: 12 }).map((lines) => lines.join('\n'));

export const wordVectorsTarget: FuzzTarget<{ text: string; maxWords: number | undefined }> = {
  name: 'parseWordVectors',
  arbitrary: fc.record({ text: file, maxWords: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }),
  run: ({ text, maxWords }) => {
    const { dim, vectors } = parseWordVectors(text, maxWords === undefined ? {} : { maxWords });
    if (!(dim >= 1) || vectors.size === 0 || vectors.size > (maxWords ?? Infinity)) throw new Error(`bad result: dim ${dim}, ${vectors.size} words`);
    for (const v of vectors.values()) if (v.length !== dim || !v.every(Number.isFinite)) throw new Error('a vector of the wrong width or with a non-finite value');
  },
  typed: eddyErrorOf(['E_FORMAT']),
};

export const labelledTarget: FuzzTarget<{ text: string; tsv: boolean }> = {
  name: 'parseLabelledLines',
  arbitrary: fc.record({
    text: fc.array(fc.oneof(fc.tuple(fc.constantFrom('0', '1', 'pos', ''), fc.constantFrom(' ', '\t', ''), fc.string({ maxLength: 20 })).map((p) => p.join('')), fc.string({ maxLength: 20 })), { maxLength: 10 }).map((l) => l.join('\n')),
    tsv: fc.boolean(),
  }),
  run: ({ text, tsv }) => {
    const { labels, texts } = parseLabelledLines(text, tsv ? { format: 'tsv' } : {});
    if (labels.length !== texts.length || labels.some((l) => l === '') || texts.some((t) => t === '' || t.includes('\n'))) throw new Error('bad result');
  },
  typed: eddyErrorOf(['E_FORMAT']),
};

