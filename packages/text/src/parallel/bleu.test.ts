import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { bleu, bleuFromStatistics, tokenize13a } from './bleu.js';

// Expected values come from sacreBLEU. "published" vectors are copied from its test suite,
// github.com/mjpost/sacrebleu test/test_bleu.py (the version with test_bleu_max_order; tolerance
// there 1e-8 on the score). "computed" ones were produced here with `pip install sacrebleu==2.6.0`
// and the call written beside each (`sacrebleu.corpus_bleu(hyps, refs, ...)`), to cover the
// smoothing methods, lowercasing, missing references and the tokenizer, which the suite checks
// only through the scores above.

const EPSILON = 1e-8;

// test_bleu.py: the README example (two reference streams of three sentences).
const REFS = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

describe('bleu: sacreBLEU test_bleu.py test_corpus_bleu (published)', () => {
  test.each([
    [HYPS, {}, 48.530827],
    [['', '', ''], {}, 0.0], // empty hypotheses are not removed
    [HYPS, { tokenize: 'none' }, 49.1919566],
    [HYPS, { tokenize: '13a' }, 48.530827],
    [HYPS, { smooth: 'none' }, 48.530827],
  ] as const)('%j %j → %f', (hyps, options, expected) => {
    expect(Math.abs(bleu(hyps, REFS, options).score - expected)).toBeLessThan(EPSILON * 100);
  });

  test('the README example in full: precisions, BP, lengths (computed: corpus_bleu(hyps, refs))', () => {
    const b = bleu(HYPS, REFS);
    expect(b.score).toBeCloseTo(48.530827009929865, 10);
    expect(b.precisions.map((p) => p.toFixed(10))).toEqual([82.3529411764706, 50.0, 45.45454545454545, 37.5].map((p) => p.toFixed(10)));
    expect(b.bp).toBeCloseTo(0.9428731438548749, 12);
    expect([b.hypLength, b.refLength]).toEqual([17, 18]);
    expect(b.ratio).toBe(17 / 18);
  });
});

describe('bleuFromStatistics: sacreBLEU test_bleu.py (published)', () => {
  test('test_scoring: counts [9,7,5,3] / [10,8,6,4], lengths 11 and 11 → 0.8375922397', () => {
    const b = bleuFromStatistics({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], hypLength: 11, refLength: 11 }, { smooth: 'none' });
    expect(Math.abs(b.score / 100 - 0.8375922397)).toBeLessThan(EPSILON);
  });

  test.each([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])('test_degenerate_statistics: %j / %j, lengths %i and %i, floor %f → exactly 0', (correct, total, hypLength, refLength, floor) => {
    expect(bleuFromStatistics({ correct, total, hypLength, refLength }, { smooth: 'floor', smoothValue: floor }).score).toBe(0);
  });

  // raw_corpus_bleu is corpus_bleu(..., smooth_method='floor', smooth_value=0.01, tokenize='none', use_effective_order=True).
  const raw = (hyps: string[], refs: string[], floor = 0.01): number => {
    const stats = statisticsOf(hyps, refs);
    return bleuFromStatistics(stats, { smooth: 'floor', smoothValue: floor, effectiveOrder: true }).score / 100;
  };
  test.each([
    [['this is a test', 'another test'], ['ref1', 'ref2'], 0.0], // no match at all is 0 (#141)
    [['this is a test'], ['this is a test'], 1.0],
    [['this is a fest'], ['this is a test'], 0.223606797749979],
    [['test'], ['a test'], 0.3678794411714425], // test_effective_order
    [['a test'], ['a test'], 1.0],
    [['a little test'], ['a test'], 0.03218297948685433],
  ])('test_raw_bleu / test_effective_order: %j against %j → %f', (hyps, refs, expected) => {
    expect(Math.abs(raw(hyps, refs) - expected)).toBeLessThan(EPSILON);
  });

  test('test_statistics and test_offset: "am I am a character sequence"', () => {
    const stats = statisticsOf(['am I am a character sequence'], ['I am a symbol string sequence a a']);
    expect([stats.correct, stats.total]).toEqual([[4, 2, 1, 0], [6, 5, 4, 3]]);
    expect(raw(['am I am a character sequence'], ['I am a symbol string sequence a a'], 0)).toBe(0);
    // sacreBLEU's default floor (0.1), which bleu({ smooth: 'floor' }) uses.
    expect(Math.abs(raw(['am I am a character sequence'], ['I am a symbol string sequence a a'], 0.1) - 0.1555722182)).toBeLessThan(EPSILON);
    expect(Math.abs(bleu(['am I am a character sequence'], ['I am a symbol string sequence a a'], { smooth: 'floor', tokenize: 'none' }).score / 100 - 0.1555722182)).toBeLessThan(EPSILON);
  });
});

/** The statistics bleu() gathers, read back through bleuFromStatistics with smoothing that keeps them. */
function statisticsOf(hyps: string[], refs: string[]): { correct: number[]; total: number[]; hypLength: number; refLength: number } {
  // Unigram…4-gram counts by hand, whitespace tokens (tokenize 'none').
  const correct = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  let hypLength = 0;
  let refLength = 0;
  hyps.forEach((h, i) => {
    const ht = h.split(/\s+/).filter(Boolean);
    const rt = refs[i].split(/\s+/).filter(Boolean);
    hypLength += ht.length;
    refLength += rt.length;
    for (let n = 1; n <= 4; n++) {
      const grams = (t: string[]): string[] => t.slice(0, Math.max(0, t.length - n + 1)).map((_, k) => t.slice(k, k + n).join(' '));
      const left = new Map<string, number>();
      for (const g of grams(rt)) left.set(g, (left.get(g) ?? 0) + 1);
      for (const g of grams(ht)) {
        total[n - 1]++;
        if ((left.get(g) ?? 0) > 0) {
          correct[n - 1]++;
          left.set(g, left.get(g)! - 1);
        }
      }
    }
  });
  return { correct, total, hypLength, refLength };
}

describe('bleu: smoothing, case, references (computed with sacreBLEU 2.6.0)', () => {
  // corpus_bleu(['the cat sat on a mat', 'a quick brown dog ran'], [['the cat is on the mat', 'the quick brown fox ran']], smooth_method=…)
  const hyps = ['the cat sat on a mat', 'a quick brown dog ran'];
  const refs = ['the cat is on the mat', 'the quick brown fox ran'];
  test.each([
    ['exp', 14.991106946711678, [63.63636363636363, 22.22222222222222, 7.142857142857143, 5.0]],
    ['floor', 7.972714256536027, [63.63636363636363, 22.22222222222222, 1.4285714285714286, 2.0]],
    ['add-k', 25.112869686415596, [63.63636363636363, 30.0, 12.5, 16.666666666666668]],
    ['none', 0.0, [63.63636363636363, 22.22222222222222, 0.0, 0.0]],
  ] as const)('smooth %s', (smooth, score, precisions) => {
    const b = bleu(hyps, refs, { smooth });
    expect(b.score).toBeCloseTo(score, 10);
    b.precisions.forEach((p, n) => expect(p).toBeCloseTo(precisions[n], 10));
    expect([b.hypLength, b.refLength, b.bp]).toEqual([11, 11, 1]);
  });

  test('a short corpus: the brevity penalty, and add-k smoothing past the orders with no n-grams', () => {
    // corpus_bleu(['the cat', 'a dog'], [['the cat sat on the mat', 'the quick brown fox ran']], smooth_method=…)
    const short = (smooth: 'exp' | 'add-k') => bleu(['the cat', 'a dog'], ['the cat sat on the mat', 'the quick brown fox ran'], { smooth });
    expect(short('exp').score).toBe(0);
    expect(short('exp').bp).toBeCloseTo(0.17377394345044514, 12);
    expect(short('add-k').score).toBeCloseTo(13.203964347005007, 10);
  });

  test('lowercase, a second reference stream, and an empty reference left out', () => {
    // corpus_bleu(h, [['the cat sat on the mat.', ''], ['A cat sat on a mat today .', 'a dog barked loudly at the postman!']], lowercase=…)
    const h = ['The Cat sat on the MAT today.', 'A dog barked at the postman, loudly!'];
    const r = [['the cat sat on the mat.', ''], ['A cat sat on a mat today .', 'a dog barked loudly at the postman!']];
    expect(bleu(h, r).score).toBeCloseTo(21.079682710746603, 10);
    const lc = bleu(h, r, { lowercase: true });
    expect(lc.score).toBeCloseTo(56.42400848718724, 10);
    expect([lc.hypLength, lc.refLength]).toEqual([17, 16]);
    expect(bleu(['Hello, World!'], ['hello , world !'], { lowercase: true }).score).toBeCloseTo(100, 10);
    expect(bleu(['Hello, World!'], ['hello , world !']).score).toBeCloseTo(18.99589214128981, 10);
  });

  test('bad arguments are E_ARGUMENT naming what came', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof EddyError ? `${e.code}: ${e.message}` : String(e);
      }
      return undefined;
    };
    expect(code(() => bleu(['a'], ['a', 'b']))).toMatch(/^E_ARGUMENT: bleu: references must have one string per hypothesis \(1\), got 2/);
    expect(code(() => bleu(['a'], [['a'], ['b', 'c']]))).toMatch(/references\[1\] must have one string per hypothesis/);
    expect(code(() => bleu(['a'], ['']))).toMatch(/hypothesis 0 has no reference/);
    expect(code(() => bleu(['a'], ['a'], { smooth: 'exponential' as never }))).toMatch(/smooth must be one of/);
    expect(code(() => bleu(['a'], ['a'], { tokenise: '13a' } as never))).toMatch(/unknown option "tokenise" \(did you mean "tokenize"\?\)/);
    expect(code(() => bleu([1 as never], ['a']))).toMatch(/hypotheses must be an array of strings/);
  });
});

describe('tokenize13a (computed with sacreBLEU 2.6.0: Tokenizer13a()(line))', () => {
  test.each([
    ['He said: "3.5-4,000 km/h" &amp; (it\'s) $5, A.B. x-1 1-x', 'He said : " 3.5 - 4,000 km / h " & ( it\'s ) $ 5 , A . B . x-1 1 - x'],
    ['Hello, World!', 'Hello , World !'],
    ['e.g. 1,000.5 vs. 1.5.', 'e . g . 1,000.5 vs . 1.5 .'],
    ['<skipped>a-\nb\nc &lt;tag&gt; &quot;q&quot;', 'ab c < tag > " q "'],
    ["l'été à Paris — 10€ / 20 %", "l'été à Paris — 10€ / 20 %"],
    ['x\u00a0y\u2003z\x1cw', 'x y z w'],
    ['', ''],
  ])('%j', (line, tokens) => {
    expect(tokenize13a(line).join(' ')).toBe(tokens);
  });

  test('a line of a million spaces between words tokenizes in linear time', () => {
    const start = performance.now();
    expect(bleu([`a${' '.repeat(1_000_000)}b `], ['a b'], { tokenize: '13a' }).hypLength).toBe(2);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
