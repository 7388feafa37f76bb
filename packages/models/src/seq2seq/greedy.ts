import { finish, History, rowOf, type SearchOptions, type Stepper, type Translation } from './search.js';

/**
 * Greedy decoding of B sources (one row each): at every step each row takes its most probable
 * id (the lowest on ties) until EOS or its cap. Equal to beam search with K = 1, tokens and
 * scores, by construction of both (a test holds them to it).
 */
export function greedySearch(stepper: Stepper, B: number, V: number, S: number, o: SearchOptions): Translation[][] {
  const history = new History(S);
  const results: Translation[][] = new Array(B);
  const logProb = new Float64Array(B);
  const done = new Uint8Array(B);
  let ids = new Int32Array(B).fill(o.bosId);
  for (let t = 0, left = B; left > 0; t++) {
    const { logProbs, attention } = stepper.advance(ids, null);
    history.begin(attention);
    const next = new Int32Array(B).fill(o.eosId);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const row = rowOf(logProbs, b, V);
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
      logProb[b] += row[best];
      next[b] = best;
      if (best === o.eosId || t + 1 >= o.caps[b]) {
        results[b] = [finish(history.trace(t, b, best, b, o), logProb[b], o)];
        done[b] = 1;
        left--;
      }
    }
    history.end(next, null);
    ids = next;
  }
  return results;
}
