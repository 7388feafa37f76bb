import { boolOption, checkOptions, describe, fail } from '../errors.js';
import { choiceOption } from '@eddy/autograd/internal';

// Corpus-level BLEU exactly as sacreBLEU computes it (Post, 2018; sacrebleu/metrics/bleu.py and
// sacrebleu/tokenizers/tokenizer_13a.py, version 2.x): the mteval-v13a tokenizer, clipped n-gram
// counts summed over the corpus for n = 1…4, the closest reference length (ties to the shorter) for
// the brevity penalty, and Chen & Cherry's (2014) smoothing methods. Verified against sacreBLEU's
// own test vectors in bleu.test.ts.

/** Options of {@link bleu}; the defaults are sacreBLEU's `corpus_bleu`. */
export interface BleuOptions {
  /** '13a' (default): mteval-v13a's tokenizer, as WMT; 'none': split on whitespace only. */
  tokenize?: '13a' | 'none';
  /**
   * What a zero n-gram count contributes (Chen & Cherry 2014): 'exp' (default, NIST's method 3:
   * the k-th order with no match counts 1/2^k), 'floor' (0.1 matches), 'add-k' (1 added to the
   * matches and totals of n ≥ 2), 'none' (a zero makes BLEU 0).
   */
  smooth?: 'exp' | 'floor' | 'add-k' | 'none';
  /** Lowercase hypotheses and references first. Default false. */
  lowercase?: boolean;
}

/** A BLEU score and its parts, as sacreBLEU's BLEUScore. */
export interface BleuScore {
  /** BLEU on the 0–100 scale. */
  score: number;
  /** The four n-gram precisions, in percent (after smoothing), as sacreBLEU reports them. */
  precisions: number[];
  /** Brevity penalty, exp(1 − r/c) when the hypotheses are shorter than the references, else 1. */
  bp: number;
  /** hypLength / refLength (0 when refLength is 0). */
  ratio: number;
  /** Tokens in all hypotheses. */
  hypLength: number;
  /** Tokens in the reference closest in length to each hypothesis, summed. */
  refLength: number;
}

/** BLEU's sufficient statistics: clipped matches and totals per order, and the corpus lengths. */
export interface BleuStatistics {
  correct: readonly number[];
  total: readonly number[];
  hypLength: number;
  refLength: number;
}

const ORDER = 4;
const SMOOTH = ['exp', 'floor', 'add-k', 'none'] as const;
/** sacreBLEU's SMOOTH_DEFAULTS: floor 0.1 (matches), add-k 1. */
const SMOOTH_VALUE = { floor: 0.1, 'add-k': 1 } as const;

// mteval-v13a's language-dependent rules, sacreBLEU's TokenizerRegexp in order: punctuation and
// symbols apart; period and comma apart unless preceded by a digit; unless followed by a digit;
// a dash after a digit apart. The first class is ASCII { | } ~, [ \ ] ^ _ `, space to &, ( to +,
// : to @ and /.
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/([{-~[-` -&(-+:-@/])/g, ' $1 '],
  [/([^0-9])([.,])/g, '$1 $2 '],
  [/([.,])([^0-9])/g, ' $1 $2'],
  [/([0-9])(-)/g, '$1 $2 '],
];
/** What Python's `str.split()` splits on (str.isspace), which sacreBLEU's tokenizers end with. */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+';
const PY_WHITESPACE = new RegExp(PY_SPACE);
const PY_SPACE_CHAR = new RegExp(`^${PY_SPACE}$`);

function pySplit(line: string): string[] {
  return line.split(PY_WHITESPACE).filter((t) => t !== '');
}

/** Python's `str.rstrip()`, by a loop: a `[…]+$` regex is quadratic on long inner runs of spaces. */
function pyRstrip(line: string): string {
  let end = line.length;
  while (end > 0 && PY_SPACE_CHAR.test(line[end - 1])) end--;
  return line.slice(0, end);
}

/** mteval-v13a tokenization of one line, as sacreBLEU's Tokenizer13a: its tokens. */
export function tokenize13a(line: string): string[] {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `;
  for (const [re, replacement] of RULES) s = s.replace(re, replacement);
  return pySplit(s);
}

/**
 * Counts of every n-gram of `tokens`, 1 ≤ n ≤ ORDER, keyed by n and the tokens joined with spaces
 * (no token holds a space: both tokenizers end by splitting on whitespace).
 */
function ngrams(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = `${n} ${tokens.slice(i, i + n).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * BLEU from its statistics, as sacreBLEU's `BLEU.compute_bleu` (`effectiveOrder`: average over the
 * orders up to the last with any hypothesis n-grams, for sentence-level use; `smoothValue`
 * overrides the floor / add-k constant). No matches at all give 0 (sacreBLEU #141).
 */
export function bleuFromStatistics(
  stats: BleuStatistics,
  options: { smooth?: BleuOptions['smooth']; smoothValue?: number; effectiveOrder?: boolean } = {},
): BleuScore {
  const smooth = options.smooth ?? 'exp';
  const value = options.smoothValue ?? (smooth === 'floor' || smooth === 'add-k' ? SMOOTH_VALUE[smooth] : 0);
  const correct = [...stats.correct];
  const total = [...stats.total];
  const { hypLength, refLength } = stats;
  const bp = hypLength < refLength ? (hypLength > 0 ? Math.exp(1 - refLength / hypLength) : 0) : 1;
  const ratio = refLength > 0 ? hypLength / refLength : 0;
  const precisions = new Array<number>(ORDER).fill(0);
  const result = (score: number): BleuScore => ({ score, precisions, bp, ratio, hypLength, refLength });
  if (!correct.some((c) => c !== 0)) return result(0);
  let mteval = 1;
  let order = ORDER;
  for (let n = 1; n <= ORDER; n++) {
    if (smooth === 'add-k' && n > 1) {
      correct[n - 1] += value;
      total[n - 1] += value;
    }
    if (total[n - 1] === 0) break;
    if (options.effectiveOrder) order = n;
    if (correct[n - 1] === 0) {
      if (smooth === 'exp') {
        mteval *= 2;
        precisions[n - 1] = 100 / (mteval * total[n - 1]);
      } else if (smooth === 'floor') precisions[n - 1] = (100 * value) / total[n - 1];
    } else precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
  }
  // sacreBLEU's my_log: log 0 is −9999999999, so a zero precision makes the score 0.
  let logs = 0;
  for (let n = 0; n < order; n++) logs += precisions[n] === 0 ? -9999999999 : Math.log(precisions[n]);
  return result(bp * Math.exp(logs / order));
}

function checkStrings(op: string, name: string, value: unknown, length?: number): readonly string[] {
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) throw fail('E_ARGUMENT', `${op}: ${name} must be an array of strings, got ${describe(value)}`);
  if (length !== undefined && value.length !== length) throw fail('E_ARGUMENT', `${op}: ${name} must have one string per hypothesis (${length}), got ${value.length}`);
  return value as string[];
}

/**
 * Corpus-level BLEU of `hypotheses` against `references`, with sacreBLEU's `corpus_bleu` defaults
 * (13a tokenizer, 'exp' smoothing, case-sensitive) and the same result to rounding. `references`
 * is one reference per hypothesis, or, for several, sacreBLEU's layout: a list of reference
 * streams, each with one string per hypothesis (an empty string is a missing reference). Throws
 * E_ARGUMENT on mismatched lengths, or a hypothesis left without any reference.
 *
 * @example
 * bleu(['The dog bit the man.'], ['The dog bit the man.']).score; // 100
 */
export function bleu(hypotheses: readonly string[], references: readonly string[] | readonly (readonly string[])[], options: BleuOptions = {}): BleuScore {
  const op = 'bleu';
  const o = checkOptions(op, options, ['tokenize', 'smooth', 'lowercase']);
  const tokenizeWith = choiceOption(op, 'tokenize', o.tokenize, ['13a', 'none'] as const, '13a');
  const smooth = choiceOption(op, 'smooth', o.smooth, SMOOTH, 'exp');
  const lowercase = boolOption(op, 'lowercase', o.lowercase, false);
  const hyps = checkStrings(op, 'hypotheses', hypotheses);
  if (!Array.isArray(references)) throw fail('E_ARGUMENT', `${op}: references must be an array of strings or of reference streams, got ${describe(references)}`);
  const streams = references.length > 0 && Array.isArray(references[0])
    ? references.map((s, k) => checkStrings(op, `references[${k}]`, s, hyps.length))
    : [checkStrings(op, 'references', references, hyps.length)];
  const tokenize = (line: string): string[] => {
    // sacreBLEU lowercases, then tokenizes line.rstrip().
    const s = pyRstrip(lowercase ? line.toLowerCase() : line);
    return tokenizeWith === '13a' ? tokenize13a(s) : pySplit(s);
  };
  const correct = new Array<number>(ORDER).fill(0);
  const total = new Array<number>(ORDER).fill(0);
  let hypLength = 0;
  let refLength = 0;
  hyps.forEach((hyp, i) => {
    const refs = streams.map((s) => s[i]).filter((r) => r !== '');
    if (refs.length === 0) throw fail('E_ARGUMENT', `${op}: hypothesis ${i} has no reference (every reference of it is empty)`);
    const out = tokenize(hyp);
    // Clip by the most often an n-gram occurs in any one reference; the brevity penalty uses the
    // reference closest in length (the shorter on a tie).
    const clip = new Map<string, number>();
    let closest = Infinity;
    let closestLength = 0;
    for (const ref of refs) {
      const tokens = tokenize(ref);
      const diff = Math.abs(out.length - tokens.length);
      if (diff < closest || (diff === closest && tokens.length < closestLength)) [closest, closestLength] = [diff, tokens.length];
      for (const [g, c] of ngrams(tokens)) clip.set(g, Math.max(clip.get(g) ?? 0, c));
    }
    hypLength += out.length;
    refLength += closestLength;
    for (const [g, c] of ngrams(out)) {
      const n = Number(g.slice(0, g.indexOf(' '))) - 1;
      correct[n] += Math.min(c, clip.get(g) ?? 0);
      total[n] += c;
    }
  });
  return bleuFromStatistics({ correct, total, hypLength, refLength }, { smooth });
}
