import { checkInt, checkOptions, describe, fail } from '../errors.js';

// Classification and tagging metrics, all fractions in [0, 1], with scikit-learn's conventions
// (a class never predicted has precision 0 and so F1 0; a class absent from gold and from the
// predictions still counts in the macro average with F1 0, as `f1_score(..., labels=range(C))`).

/** Gold and predicted labels as plain arrays of class indices. */
export type Labels = ArrayLike<number>;

/**
 * Checks that gold and pred are equally long arrays of classes in [0, numClasses); positions whose
 * gold is `ignore` are not checked (a tagger's padding: −1 on both sides).
 */
function checkPair(op: string, gold: Labels, pred: Labels, numClasses: number | null, ignore: number | null = null): void {
  for (const [name, v] of [['gold', gold], ['pred', pred]] as const) {
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') throw fail('E_ARGUMENT', `${op}: ${name} must be an array of class indices, got ${describe(v)}`);
  }
  if (gold.length !== pred.length) throw fail('E_ARGUMENT', `${op}: gold and pred must have the same length, got ${gold.length} and ${pred.length}`);
  const max = numClasses === null ? Number.MAX_SAFE_INTEGER : numClasses - 1;
  for (let i = 0; i < gold.length; i++) {
    if (ignore !== null && gold[i] === ignore) continue;
    for (const [name, v] of [['gold', gold[i]], ['pred', pred[i]]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw fail('E_ARGUMENT', `${op}: ${name}[${i}] must be a class index in [0, ${numClasses === null ? '∞' : numClasses}), got ${describe(v)}`);
      }
    }
  }
}

/** The fraction of positions where pred equals gold. Throws E_ARGUMENT on empty input (0/0). */
export function accuracy(gold: Labels, pred: Labels): number {
  checkPair('accuracy', gold, pred, null);
  if (gold.length === 0) throw fail('E_ARGUMENT', 'accuracy: gold and pred are empty (the accuracy of no examples is undefined)');
  let right = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) right++;
  return right / gold.length;
}

/** counts[g][p]: the examples of gold class g predicted as p (rows gold, columns predicted). */
export function confusionMatrix(gold: Labels, pred: Labels, numClasses: number): number[][] {
  const C = checkInt('confusionMatrix', 'numClasses', numClasses, 1);
  checkPair('confusionMatrix', gold, pred, C);
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < gold.length; i++) m[gold[i]][pred[i]]++;
  return m;
}

/**
 * The unweighted mean over the C classes of F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c) (the harmonic
 * mean of precision and recall); a class with TP + FP + FN = 0 (never in gold nor predicted) has F1
 * 0, as scikit-learn's `zero_division=0`. Throws E_ARGUMENT on empty input.
 */
export function macroF1(gold: Labels, pred: Labels, numClasses: number): number {
  const m = confusionMatrix(gold, pred, numClasses);
  if (gold.length === 0) throw fail('E_ARGUMENT', 'macroF1: gold and pred are empty (the F1 of no examples is undefined)');
  let sum = 0;
  for (let c = 0; c < m.length; c++) {
    let predicted = 0;
    for (let g = 0; g < m.length; g++) predicted += m[g][c];
    const actual = m[c].reduce((a, b) => a + b, 0);
    const tp = m[c][c];
    const denominator = predicted + actual; // 2·TP + FP + FN
    sum += denominator === 0 ? 0 : (2 * tp) / denominator;
  }
  return sum / m.length;
}

/** Options of {@link perTagAccuracy}. */
export interface PerTagAccuracyOptions {
  /** Gold value of positions to skip (padding). Default −1. */
  ignore?: number;
}

/** What {@link perTagAccuracy} returns. */
export interface PerTagAccuracy {
  /** The fraction of counted positions tagged right. */
  accuracy: number;
  /** Per gold tag: the fraction of its positions tagged right, or null when it never occurs. */
  perTag: (number | null)[];
  /** Positions counted (gold ≠ ignore). */
  count: number;
}

/**
 * Token-level accuracy of a tagger over the positions whose gold tag is not `ignore` (so padding
 * steps, −1 in `SequenceTagger.predict`, are skipped), overall and per gold tag (the recall of
 * each tag). Throws E_ARGUMENT when no position is counted.
 */
export function perTagAccuracy(gold: Labels, pred: Labels, numTags: number, options: PerTagAccuracyOptions = {}): PerTagAccuracy {
  const op = 'perTagAccuracy';
  const o = checkOptions(op, options, ['ignore']);
  const K = checkInt(op, 'numTags', numTags, 1);
  const ignore = o.ignore ?? -1;
  if (typeof ignore !== 'number' || !Number.isInteger(ignore)) throw fail('E_ARGUMENT', `${op}: ignore must be an integer, got ${describe(ignore)}`);
  checkPair(op, gold, pred, K, ignore);
  const right = new Array<number>(K).fill(0);
  const total = new Array<number>(K).fill(0);
  let count = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === ignore) continue;
    count++;
    total[gold[i]]++;
    if (pred[i] === gold[i]) right[gold[i]]++;
  }
  if (count === 0) throw fail('E_ARGUMENT', `${op}: no position has a gold tag other than ignore = ${ignore}`);
  return {
    accuracy: right.reduce((a, b) => a + b, 0) / count,
    perTag: total.map((n, k) => (n === 0 ? null : right[k] / n)),
    count,
  };
}
