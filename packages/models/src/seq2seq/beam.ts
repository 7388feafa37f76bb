import { lengthPenalty } from '@eddy/text';
import { finish, History, rowOf, type SearchOptions, type Stepper, type Translation } from './search.js';

/** A candidate extension: row `row`'s prefix followed by `id`, with its log-probability. */
interface Candidate {
  logProb: number;
  row: number;
  id: number;
}

/**
 * Batched beam search: B sources × K hypotheses advance as one batch of B·K decoder rows per
 * step (rows b·K … b·K + K − 1 belong to source b). Each step, for every source still searching:
 *
 * 1. its 2K best extensions (prefix log-probability + log p(id | prefix); ties: lower row, then
 *    lower id) are walked best first: an EOS extension becomes a finished hypothesis, any other
 *    fills the next of the K slots, until K slots are filled (2K candidates always hold K
 *    non-EOS ones: a row offers at most one EOS);
 * 2. the source stops once it has K finished hypotheses that no live one can beat, or when its
 *    outputs reach its cap (its live hypotheses then count as results, without EOS). A live
 *    prefix's final score is at most its log-probability over the length penalty of the longest
 *    allowed output (log-probabilities only fall, the penalty only grows, coverage only lowers),
 *    so stopping on that bound never drops a better hypothesis — stopping at the first K
 *    finished did: short, improbable ones end early and would crowd out the best.
 *
 * The slots' states are gathered from their parent rows on the device (one `index` per state
 * tensor). At the first step only slot 0 of each source is live, so the K slots never start as
 * copies. Results are ranked by the GNMT score (`finish`), the `nBest` best of each source first.
 */
export function beamSearch(stepper: Stepper, B: number, K: number, nBest: number, V: number, S: number, o: SearchOptions): Translation[][] {
  const R = B * K;
  const history = new History(S);
  const finished: Translation[][] = Array.from({ length: B }, () => []);
  const done = new Uint8Array(B);
  let logProb = new Float64Array(R).fill(-Infinity);
  for (let b = 0; b < B; b++) logProb[b * K] = 0;
  let ids = new Int32Array(R).fill(o.bosId);
  let parents: Int32Array | null = null;
  const best: Candidate[] = [];
  for (let t = 0, left = B; left > 0; t++) {
    const { logProbs, attention } = stepper.advance(ids, parents);
    history.begin(attention);
    const nextIds = new Int32Array(R).fill(o.eosId);
    const nextParents = Int32Array.from({ length: R }, (_, r) => r);
    const nextLogProb = new Float64Array(R).fill(-Infinity);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      topCandidates(logProbs, logProb, b * K, K, V, 2 * K, best);
      let slot = 0;
      for (const c of best) {
        if (c.id === o.eosId) {
          finished[b].push(finish(history.trace(t, c.row, c.id, b, o), c.logProb, o));
        } else {
          const r = b * K + slot++;
          nextIds[r] = c.id;
          nextParents[r] = c.row;
          nextLogProb[r] = c.logProb;
          if (slot === K) break;
        }
      }
      // K = 1 stops at its first EOS, as greedy does (greedy equals beam 1 exactly).
      const settled = K === 1 ? finished[b].length > 0 : beaten(finished[b], K, nextLogProb, b * K, slot, lengthPenalty(o.caps[b] + 1, o.lengthPenalty));
      if (t + 1 >= o.caps[b] || slot === 0 || settled) {
        if (finished[b].length < K) {
          for (let s = 0; s < slot; s++) {
            const r = b * K + s;
            finished[b].push(finish(history.trace(t, nextParents[r], nextIds[r], b, o), nextLogProb[r], o));
          }
        }
        for (let s = 0; s < K; s++) nextLogProb[b * K + s] = -Infinity;
        done[b] = 1;
        left--;
      }
    }
    history.end(nextIds, nextParents);
    ids = nextIds;
    parents = nextParents;
    logProb = nextLogProb;
  }
  return finished.map((list) => list.sort((x, y) => y.score - x.score).slice(0, nBest));
}

/**
 * Whether the K-th best of `finished` scores at least what any of the `live` slots (log-probabilities
 * at first … first + live − 1) could still reach: at most logProb / `maxPenalty`.
 */
function beaten(finished: readonly Translation[], K: number, logProb: Float64Array, first: number, live: number, maxPenalty: number): boolean {
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
 */
function topCandidates(logProbs: Float32Array, prefix: Float64Array, first: number, K: number, V: number, n: number, out: Candidate[]): void {
  out.length = 0;
  for (let row = first; row < first + K; row++) {
    const base = prefix[row];
    if (base === -Infinity) continue;
    const lp = rowOf(logProbs, row, V);
    for (let id = 0; id < V; id++) {
      const logProb = base + lp[id];
      if (out.length === n && !(logProb > out[n - 1].logProb)) continue;
      let i = out.length === n ? n - 1 : out.length;
      if (out.length < n) out.push({ logProb, row, id });
      while (i > 0 && out[i - 1].logProb < logProb) {
        out[i] = out[i - 1];
        i--;
      }
      out[i] = { logProb, row, id };
    }
  }
}
