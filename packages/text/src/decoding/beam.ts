import { checkInt, checkNumber, checkOptions, describe, fail, optionKeys } from '../errors.js';
import { EOS } from '../vocab.js';
import { DECODE_OPTIONS, runPrime, type DecodeOptions, type StepResult } from './generate.js';

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions<S> extends DecodeOptions<S> {
  /** Hypotheses kept per step (default 4). */
  beamSize?: number;
  /** Most ids generated per hypothesis, `<eos>` included. */
  maxSteps: number;
  /** The id that ends a hypothesis (default `EOS`, 3). */
  eosId?: number;
  /** α of the GNMT length penalty; 0 ranks by plain log-probability (default 0.6). */
  lengthPenalty?: number;
}

const BEAM_OPTIONS = [
  ...DECODE_OPTIONS,
  ...optionKeys<Omit<BeamSearchOptions<unknown>, keyof DecodeOptions<unknown>>>({ beamSize: true, maxSteps: true, eosId: true, lengthPenalty: true }),
];

/** A finished or unfinished output of {@link beamSearch}. */
export interface Hypothesis {
  /** Generated ids (after the prime), ending with `<eos>` when `finished`. */
  ids: number[];
  /** log P(ids | prime) = Σ log softmax(logits)[id], natural log. */
  logProb: number;
  /** logProb / lp(|ids|): what hypotheses are ranked by. */
  score: number;
  /** Whether it ended with `<eos>` (else it ran out of `maxSteps`). */
  finished: boolean;
}

/** GNMT's length penalty (Wu et al. 2016, eq. 14): lp(Y) = ((5 + |Y|) / 6)^α. */
export function lengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/** log softmax of one row, in float64 (NOTE: max-subtracted, so no overflow; −∞ stays −∞). */
function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (x) => x - lse);
}

interface Live<S> {
  ids: number[];
  logProb: number;
  next: StepResult<S>;
}

/**
 * Beam search over a step function: keeps the `beamSize` most probable partial outputs, extends
 * each by its `beamSize` best ids, and moves a hypothesis to the finished list when it emits
 * `<eos>`. Hypotheses are ranked by the GNMT score
 *
 *   s(Y) = log P(Y | prime) / lp(Y),   lp(Y) = ((5 + |Y|) / 6)^α
 *
 * (α = 0: plain log-probability, which favours short outputs; α ≈ 0.6–1 offsets that).
 *
 * Per step, candidates (parent, id) are ordered by log-probability (ties: earlier parent, then
 * lower id); walking that order, `<eos>` candidates become finished hypotheses and the others fill
 * the new beam until it holds `beamSize`. Search stops when the beam is empty, after `maxSteps`,
 * or once `beamSize` finished hypotheses all score at least the best any live one could still
 * reach (logProb / lp(maxSteps): log-probabilities only fall and lp only grows), so stopping
 * early never drops a better output. Unfinished beams count as results when fewer than `beamSize`
 * finished. Returns up to `beamSize` hypotheses, best score first.
 *
 * `step` may be called several times with the same state (siblings share their parent's state),
 * so it must not mutate it. To free tensor states, run the search inside autograd's `scope`.
 *
 * @example
 * const [best] = beamSearch({ prime: [BOS], step, initialState, beamSize: 5, maxSteps: 50 });
 * tokenizer.decode(best.ids);
 */
export function beamSearch<S>(options: BeamSearchOptions<S>): Hypothesis[] {
  const where = 'beamSearch';
  checkOptions(where, options, BEAM_OPTIONS);
  const beamSize = checkInt(where, 'beamSize', options.beamSize ?? 4, 1);
  const maxSteps = checkInt(where, 'maxSteps', options.maxSteps, 1);
  const eosId = checkInt(where, 'eosId', options.eosId ?? EOS, 0);
  const alpha = checkNumber(where, 'lengthPenalty', options.lengthPenalty ?? 0.6, 0, 100);
  const score = (logProb: number, length: number) => logProb / lengthPenalty(length, alpha);

  let live: Live<S>[] = [{ ids: [], logProb: 0, next: runPrime(where, options) }];
  const done: Hypothesis[] = [];
  // A live hypothesis can still reach at best logProb / lp(maxSteps): its log-probability only falls
  // and the penalty only grows. Once beamSize finished hypotheses all score at least that, stop.
  const settled = () => {
    if (done.length < beamSize) return false;
    const kth = done.map((h) => h.score).sort((a, b) => b - a)[beamSize - 1];
    return live.every((h) => h.logProb / lengthPenalty(maxSteps, alpha) <= kth);
  };
  for (let t = 0; t < maxSteps && live.length > 0 && !settled(); t++) {
    const candidates: { parent: number; id: number; logProb: number }[] = [];
    live.forEach((h, parent) => {
      const { logits } = h.next;
      if (!(logits instanceof Float32Array) || logits.length <= eosId) {
        throw fail('E_ARGUMENT', `${where}: step must return logits as a Float32Array longer than eosId ${eosId}, got ${describe(logits)}`);
      }
      const lp = logSoftmax(logits);
      if (lp.some(Number.isNaN)) throw fail('E_ARGUMENT', `${where}: step returned NaN logits`);
      const best = Array.from({ length: lp.length }, (_, i) => i)
        .sort((a, b) => lp[b] - lp[a] || a - b)
        .slice(0, beamSize)
        .filter((id) => lp[id] > -Infinity);
      for (const id of best) candidates.push({ parent, id, logProb: h.logProb + lp[id] });
    });
    candidates.sort((a, b) => b.logProb - a.logProb || a.parent - b.parent || a.id - b.id);
    const nextLive: Live<S>[] = [];
    for (const c of candidates) {
      if (nextLive.length === beamSize) break;
      const ids = [...live[c.parent].ids, c.id];
      if (c.id === eosId) {
        done.push({ ids, logProb: c.logProb, score: score(c.logProb, ids.length), finished: true });
      } else {
        // The last step's children are never extended: skip their model call.
        const next = t + 1 < maxSteps ? options.step(c.id, live[c.parent].next.state) : live[c.parent].next;
        nextLive.push({ ids, logProb: c.logProb, next });
      }
    }
    live = nextLive;
  }
  const results = [...done];
  if (results.length < beamSize) {
    for (const h of live) results.push({ ids: h.ids, logProb: h.logProb, score: score(h.logProb, h.ids.length), finished: false });
  }
  results.sort((a, b) => b.score - a.score);
  return results.slice(0, beamSize);
}
