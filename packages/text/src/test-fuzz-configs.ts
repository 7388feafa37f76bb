// Fuzz targets for the readers of vocabulary and tokenizer files (see test-fuzz.ts): configs of
// real tokenizers, edited as a hostile user would, and arbitrary JSON.
import fc from 'fast-check';
import { applyEdits, eddyErrorOf, hostileJson, jsonEdits, type FuzzTarget } from './test-fuzz.js';
import { BpeTokenizer } from './tokenizers/bpe.js';
import { CharTokenizer } from './tokenizers/char.js';
import { tokenizerFromConfig } from './tokenizers/from-config.js';
import type { Tokenizer } from './tokenizers/tokenizer.js';
import { WORD_PATTERNS, WordTokenizer } from './tokenizers/word.js';
import { Vocab } from './vocab.js';

/** A file reader may only throw E_FORMAT. */
const fileError = eddyErrorOf(['E_FORMAT']);

/** Text every loaded tokenizer encodes: words, punctuation, a long run (a backtracking prime), emoji. */
const PROBE = `the cat, THE dog!\n${'a'.repeat(40)}! 😀 é\t<unk>`;

const corpus = fc.string({ maxLength: 60, unit: 'grapheme' });

/** The config of a real tokenizer of each kind, trained on a small random corpus. */
const realConfig: fc.Arbitrary<unknown> = fc.oneof(
  corpus.map((c) => CharTokenizer.fromCorpus(c).toConfig()),
  fc
    .record({ c: corpus, pattern: fc.constantFrom(...Object.values(WORD_PATTERNS)), lowercase: fc.boolean(), newlineAsEos: fc.boolean(), separator: fc.constantFrom(' ', '', '_') })
    .map(({ c, ...options }) => WordTokenizer.fromCorpus(c, options).toConfig()),
  fc.record({ c: corpus, extra: fc.nat(20) }).map(({ c, extra }) => BpeTokenizer.train(c, { vocabSize: 260 + extra, minFrequency: 1 }).toConfig()),
);

/** A loaded tokenizer must work: its ids index its vocabulary, and its config loads back to the same. */
function checkTokenizer(tok: Tokenizer): void {
  const ids = tok.encode(PROBE);
  for (const id of ids) if (!(id >= 0 && id < tok.vocab.size)) throw new Error(`encode gave id ${id} outside [0, ${tok.vocab.size})`);
  tok.decode(ids);
  const back = tokenizerFromConfig(JSON.parse(JSON.stringify(tok.toConfig())));
  if (JSON.stringify(back.toConfig()) !== JSON.stringify(tok.toConfig())) throw new Error('the config does not round-trip');
}

/** tokenizerFromConfig on edited real configs and on arbitrary JSON. */
export const tokenizerConfigTarget: FuzzTarget<unknown> = {
  name: 'tokenizerFromConfig',
  arbitrary: fc.oneof({ weight: 4, arbitrary: fc.tuple(realConfig, jsonEdits).map(([config, edits]) => applyEdits(config, edits)) }, { weight: 1, arbitrary: hostileJson }),
  run: (config) => checkTokenizer(tokenizerFromConfig(config)),
  typed: fileError,
};

/** Vocab.fromJSON on edited real vocabularies and on arbitrary JSON. */
export const vocabTarget: FuzzTarget<unknown> = {
  name: 'Vocab.fromJSON',
  arbitrary: fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.array(fc.string({ maxLength: 6 }), { maxLength: 12 }), jsonEdits).map(([symbols, edits]) => applyEdits(new Vocab([...new Set(symbols)]).toJSON(), edits)) },
    { weight: 1, arbitrary: hostileJson },
  ),
  run: (json) => {
    const v = Vocab.fromJSON(json);
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
    if (back.size !== v.size || v.symbols().some((s, i) => v.id(s) !== i || back.symbol(i) !== s)) throw new Error('the vocabulary is not a bijection that round-trips');
  },
  typed: fileError,
};
