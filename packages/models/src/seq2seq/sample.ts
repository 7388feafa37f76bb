import type { Generator } from '@eddy/autograd';
import { createSampler, type SamplingOptions } from '@eddy/text';
import { finish, History, rowOf, type SearchOptions, type Stepper, type Translation } from './search.js';

/**
 * Sampling of n outputs for each of B sources (rows b·n + j): every step each live row draws its
 * next id from p(· | prefix) reshaped by `sampling` (temperature, top-k, top-p: text's samplers)
 * with one draw from `generator`, rows in order, so a seed gives the same outputs. Scores are the
 * model's log-probabilities of the drawn ids (temperature 1), penalised as beam search's; each
 * source's outputs come best first.
 */
export function sampleSearch(stepper: Stepper, B: number, n: number, V: number, S: number, o: SearchOptions, sampling: SamplingOptions, generator: Generator): Translation[][] {
  const sampler = createSampler(sampling);
  const R = B * n;
  const history = new History(S);
  const results: Translation[][] = Array.from({ length: B }, () => []);
  const logProb = new Float64Array(R);
  const done = new Uint8Array(R);
  let ids = new Int32Array(R).fill(o.bosId);
  for (let t = 0, left = R; left > 0; t++) {
    const { logProbs, attention } = stepper.advance(ids, null);
    history.begin(attention);
    const next = new Int32Array(R).fill(o.eosId);
    for (let r = 0; r < R; r++) {
      if (done[r]) continue;
      const row = rowOf(logProbs, r, V);
      const id = sampler(row, generator);
      logProb[r] += row[id];
      next[r] = id;
      const b = Math.floor(r / n);
      if (id === o.eosId || t + 1 >= o.caps[b]) {
        results[b].push(finish(history.trace(t, r, id, b, o), logProb[r], o));
        done[r] = 1;
        left--;
      }
    }
    history.end(next, null);
    ids = next;
  }
  for (const list of results) list.sort((x, y) => y.score - x.score);
  return results;
}
