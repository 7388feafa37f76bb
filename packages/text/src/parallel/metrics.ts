import { describe, fail } from '../errors.js';

// Sentence-level measures of a seq2seq model besides BLEU: fractions in [0, 1].

function checkPairs(op: string, hypotheses: unknown, references: unknown, item: (v: unknown) => boolean, what: string): void {
  for (const [name, v] of [['hypotheses', hypotheses], ['references', references]] as const) {
    if (!Array.isArray(v) || !v.every(item)) throw fail('E_ARGUMENT', `${op}: ${name} must be an array of ${what}, got ${describe(v)}`);
  }
  const [h, r] = [hypotheses as unknown[], references as unknown[]];
  if (h.length !== r.length) throw fail('E_ARGUMENT', `${op}: hypotheses and references must have the same length, got ${h.length} and ${r.length}`);
}

/**
 * The fraction of hypotheses equal to their reference after trimming surrounding whitespace (the
 * whole answer right: "168" for "123+45"). Throws E_ARGUMENT on empty input (0/0).
 */
export function exactMatch(hypotheses: readonly string[], references: readonly string[]): number {
  const op = 'exactMatch';
  checkPairs(op, hypotheses, references, (s) => typeof s === 'string', 'strings');
  if (hypotheses.length === 0) throw fail('E_ARGUMENT', `${op}: hypotheses and references are empty (the exact match of no sentences is undefined)`);
  let same = 0;
  for (let i = 0; i < hypotheses.length; i++) if (hypotheses[i].trim() === references[i].trim()) same++;
  return same / hypotheses.length;
}

const isIds = (v: unknown): boolean => v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number';

/**
 * Position-wise token accuracy over the reference tokens: Σ_i |{t < |ref_i| : hyp_i[t] = ref_i[t]}|
 * / Σ_i |ref_i| (a hypothesis shorter than its reference misses the rest; extra tokens are not
 * counted). Throws E_ARGUMENT when the references hold no token.
 */
export function tokenAccuracy(hypotheses: readonly ArrayLike<number>[], references: readonly ArrayLike<number>[]): number {
  const op = 'tokenAccuracy';
  checkPairs(op, hypotheses, references, isIds, 'id arrays');
  let right = 0;
  let total = 0;
  for (let i = 0; i < references.length; i++) {
    const [h, r] = [hypotheses[i], references[i]];
    total += r.length;
    for (let t = 0; t < Math.min(h.length, r.length); t++) if (h[t] === r[t]) right++;
  }
  if (total === 0) throw fail('E_ARGUMENT', `${op}: the references hold no token (the accuracy over no tokens is undefined)`);
  return right / total;
}
