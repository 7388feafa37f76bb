import { lengthPenalty } from '@eddy/text';
import { finish, History, rowOf, type SearchOptions, type Stepper, type Translation } from './search.js';

/** A candidate extension: row `row`'s prefix followed by `id`, with its log-probability. */
export interface Candidate {
  logProb: number;
  row: number;
  id: number;
}

/**
 * Batched beam search: B sources × K hypotheses advance as one batch of rows per step, K rows per
 * source still searching (rows j·K … j·K + K − 1 belong to the j-th of them; `stepper` starts
 * with one row per source). Each step, for
 * every source still searching:
 *
 * 1. its 2K best extensions (prefix log-probability + log p(id | prefix); ties: lower row, then
 *    lower id) are walked best first: an EOS extension becomes a finished hypothesis, any other
 *    fills the next of the K slots, until K slots are filled (2K candidates always hold K
 *    non-EOS ones: a row offers at most one EOS);
 * 2. the source stops once it has K finished hypotheses that no live one can beat, or when its
 *    outputs reach its cap (its live hypotheses then count as results, without EOS); its rows
 *    leave the batch. A live prefix's final score is at most its log-probability over the length
 *    penalty of the longest allowed output (log-probabilities only fall, the penalty only grows,
 *    coverage only lowers), so stopping on that bound never drops a better hypothesis — stopping
 *    at the first K finished did: short, improbable ones end early and would crowd out the best.
 *
 * The slots' states are gathered from their parent rows on the device (one `index` per state
 * tensor). The first step runs one row per source (the stepper starts with B rows): its K best
 * extensions then fill the K slots, which so never start as copies, and the first step costs a
 * K-th of the others. Results are ranked by the GNMT score (`finish`), the `nBest` best of each
 * source first.
 */
export function beamSearch(stepper: Stepper, B: number, K: number, nBest: number, V: number, S: number, o: SearchOptions): Translation[][] {
  const history = new History(S);
  const finished: Translation[][] = Array.from({ length: B }, () => []);
  /** The sources still searching, in row order: the j-th owns rows j·width … j·width + width − 1. */
  let sources = Int32Array.from({ length: B }, (_, b) => b);
  let width = 1;
  let logProb = new Float64Array(B);
  let ids = new Int32Array(B).fill(o.bosId);
  let parents: Int32Array | null = null;
  const best: Candidate[] = [];
  for (let t = 0; sources.length > 0; t++) {
    const { logProbs, attention } = stepper.advance(ids, parents);
    history.begin(attention);
    const nextIds: number[] = [];
    const nextParents: number[] = [];
    const nextLogProb: number[] = [];
    const nextSources: number[] = [];
    sources.forEach((b, j) => {
      topCandidates(logProbs, logProb, j * width, width, V, 2 * K, best);
      const first = nextIds.length;
      let slot = 0;
      for (const c of best) {
        if (c.id === o.eosId) {
          finished[b].push(finish(history.trace(t, c.row, c.id, b, o), c.logProb, o));
        } else {
          nextIds.push(c.id);
          nextParents.push(c.row);
          nextLogProb.push(c.logProb);
          if (++slot === K) break;
        }
      }
      // K = 1 stops at its first EOS, as greedy does (greedy equals beam 1 exactly).
      const settled = K === 1 ? finished[b].length > 0 : beaten(finished[b], K, nextLogProb, first, slot, lengthPenalty(o.caps[b] + 1, o.lengthPenalty));
      if (t + 1 >= o.caps[b] || slot === 0 || settled) {
        if (finished[b].length < K) {
          for (let s = first; s < first + slot; s++) finished[b].push(finish(history.trace(t, nextParents[s], nextIds[s], b, o), nextLogProb[s], o));
        }
        nextIds.length = nextParents.length = nextLogProb.length = first;
        return;
      }
      // Fewer than K extensions (a vocabulary smaller than 2K): the other slots are dead.
      for (; slot < K; slot++) {
        nextIds.push(o.eosId);
        nextParents.push(j * width);
        nextLogProb.push(-Infinity);
      }
      nextSources.push(b);
    });
    ids = Int32Array.from(nextIds);
    parents = Int32Array.from(nextParents);
    logProb = Float64Array.from(nextLogProb);
    sources = Int32Array.from(nextSources);
    width = K;
    history.end(ids, parents);
  }
  return finished.map((list) => list.sort((x, y) => y.score - x.score).slice(0, nBest));
}

/**
 * Whether the K-th best of `finished` scores at least what any of the `live` slots (log-probabilities
 * at first … first + live − 1) could still reach: at most logProb / `maxPenalty`.
 */
function beaten(finished: readonly Translation[], K: number, logProb: ArrayLike<number>, first: number, live: number, maxPenalty: number): boolean {
  if (finished.length < K) return false;
  const kth = finished.map((f) => f.score).sort((x, y) => y - x)[K - 1];
  let best = -Infinity;
  for (let s = 0; s < live; s++) best = Math.max(best, logProb[first + s]);
  return kth >= best / maxPenalty;
}

/**
 * The `n` best extensions of rows first … first + K − 1 (rows at −∞ are dead), best first, into
 * `out`. Candidates are visited in (row, id) order and an equal one never passes an earlier one,
 * so ties go to the lower row, then the lower id (greedy's argmax at K = 1).
 *
 * This is a scan of K·V log-probabilities per source and step, so its inner loop is one compare:
 * once `out` is full, a log-probability at or below `cut` (the worst kept one, moved into the row's
 * terms) cannot enter. `cut` sits a relative 1e-9 below the exact bound, far beyond the rounding of
 * the double sums, so it never rejects a candidate the exact test (`base + lp > worst`) would take;
 * the few it lets through meet that test, and the result is the full scan's.
 */
export function topCandidates(logProbs: Float32Array, prefix: Float64Array, first: number, K: number, V: number, n: number, out: Candidate[]): void {
  out.length = 0;
  for (let row = first; row < first + K; row++) {
    const base = prefix[row];
    if (base === -Infinity) continue;
    const lp = rowOf(logProbs, row, V);
    // NaN while `out` has room: no comparison with it holds, so nothing is skipped.
    let cut = out.length === n ? cutBelow(out[n - 1].logProb, base) : NaN;
    for (let id = 0; id < V; id++) {
      if (lp[id] <= cut) continue;
      const logProb = base + lp[id];
      if (out.length === n && !(logProb > out[n - 1].logProb)) continue;
      let i = out.length === n ? n - 1 : out.length;
      if (out.length < n) out.push({ logProb, row, id });
      while (i > 0 && out[i - 1].logProb < logProb) {
        out[i] = out[i - 1];
        i--;
      }
      out[i] = { logProb, row, id };
      if (out.length === n) cut = cutBelow(out[n - 1].logProb, base);
    }
  }
}

/** A bound a little below worst − base: a log-probability lp ≤ it has base + lp ≤ worst. */
function cutBelow(worst: number, base: number): number {
  return worst - base - 1e-9 * (1 + Math.abs(worst) + Math.abs(base));
}
