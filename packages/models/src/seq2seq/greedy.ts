import { finish, History, rowOf, type SearchOptions, type Stepper, type Translation } from './search.js';

/**
 * Greedy decoding of B sources (one row each): at every step each row takes its most probable
 * id (the lowest on ties) until EOS or its cap; a finished source's row is dropped from the next
 * step. Equal to beam search with K = 1, tokens and scores, by construction of both (a test holds
 * them to it).
 */
export function greedySearch(stepper: Stepper, B: number, V: number, S: number, o: SearchOptions): Translation[][] {
  const history = new History(S);
  const results: Translation[][] = new Array(B);
  const logProb = new Float64Array(B);
  /** The source of each row of the current step. */
  let sources = Int32Array.from({ length: B }, (_, b) => b);
  let ids = new Int32Array(B).fill(o.bosId);
  let parents: Int32Array | null = null;
  for (let t = 0; sources.length > 0; t++) {
    const { logProbs, attention } = stepper.advance(ids, parents);
    history.begin(attention);
    const R = sources.length;
    const next = new Int32Array(R);
    const live: number[] = [];
    for (let r = 0; r < R; r++) {
      const b = sources[r];
      const row = rowOf(logProbs, r, V);
      let best = 0;
      let top = row[0];
      for (let v = 1; v < V; v++) {
        if (row[v] > top) {
          top = row[v];
          best = v;
        }
      }
      logProb[b] += top;
      next[r] = best;
      if (best === o.eosId || t + 1 >= o.caps[b]) results[b] = [finish(history.trace(t, r, best, b, o), logProb[b], o)];
      else live.push(r);
    }
    // Slot j of this step continues row live[j] (all rows while none finished: no reordering).
    parents = live.length === R ? null : Int32Array.from(live);
    ids = parents === null ? next : Int32Array.from(live, (r) => next[r]);
    if (parents !== null) sources = Int32Array.from(live, (r) => sources[r]);
    history.end(ids, parents);
  }
  return results;
}
