import fc from 'fast-check';
import { bleu } from './parallel/bleu.js';
import { parseParallelLines } from './parallel/parallel-lines.js';
import { eddyErrorOf, type FuzzTarget } from './test-fuzz.js';

// The parallel-corpus fuzz targets, shared by the suite's fuzz test and the bench's long mode: a
// TSV file of pairs, valid or hostile, ends in checked pairs or E_FORMAT; BLEU of any strings is a
// score in [0, 100] with sane parts.

const side = fc.oneof(
  fc.string({ maxLength: 12, unit: 'grapheme' }),
  fc.constantFrom('', ' ', 'Va !', 'Cours\u202f!', '__proto__', '\r', '&amp;', '<skipped>', '1,000.5-2'),
);
const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(side, side, fc.option(side, { nil: undefined })).map(([s, t, extra]) => (extra === undefined ? `${s}\t${t}` : `${s}\t${t}\t${extra}`)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

export const parallelLinesTarget: FuzzTarget<{ text: string; maxLines: number | undefined }> = {
  name: 'parseParallelLines',
  arbitrary: fc.record({
    text: fc.array(line, { maxLength: 10 }).chain((lines) => fc.constantFrom('\n', '\r\n').map((nl) => lines.join(nl))),
    maxLines: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  }),
  run: ({ text, maxLines }) => {
    const { pairs } = parseParallelLines(text, maxLines === undefined ? {} : { maxLines });
    let last = 0;
    for (const p of pairs) {
      if (p.source === '' || p.target === '' || p.source !== p.source.trim() || p.target.includes('\t') || p.source.includes('\n')) throw new Error(`bad pair ${JSON.stringify(p)}`);
      if (!(p.line > last)) throw new Error('line numbers out of order');
      last = p.line;
    }
    if (pairs.length > (maxLines ?? Infinity)) throw new Error('more pairs than maxLines');
  },
  typed: eddyErrorOf(['E_FORMAT']),
};

export const bleuTarget: FuzzTarget<{ hyps: string[]; refs: string[]; tokenize: '13a' | 'none'; smooth: 'exp' | 'floor' | 'add-k' | 'none' }> = {
  name: 'bleu',
  arbitrary: fc.integer({ min: 1, max: 4 }).chain((n) => fc.record({
    hyps: fc.array(side, { minLength: n, maxLength: n }),
    refs: fc.array(side, { minLength: n, maxLength: n }),
    tokenize: fc.constantFrom('13a', 'none'),
    smooth: fc.constantFrom('exp', 'floor', 'add-k', 'none'),
  })),
  run: ({ hyps, refs, tokenize, smooth }) => {
    const b = bleu(hyps, refs, { tokenize, smooth });
    if (!(b.score >= 0 && b.score <= 100 + 1e-9) || !(b.bp >= 0 && b.bp <= 1) || b.precisions.some((p) => !(p >= 0 && p <= 100 + 1e-9))) {
      throw new Error(`bad BLEU ${JSON.stringify(b)}`);
    }
    // Perfect hypotheses score 100 whenever every sentence has a 4-gram.
    const self = bleu(refs, refs, { tokenize, smooth: 'none' });
    if (self.score !== 0 && Math.abs(self.score - 100) > 1e-9) throw new Error(`BLEU of the references against themselves is ${self.score}`);
  },
  // A hypothesis whose references are all empty is an argument error.
  typed: eddyErrorOf(['E_ARGUMENT']),
};
