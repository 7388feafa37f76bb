import { describe, expect, test } from 'vitest';
import { beamSearch, topCandidates, type Candidate } from './beam.js';
import { greedySearch } from './greedy.js';
import type { SearchOptions, Stepper } from './search.js';

// Beam search on a scripted decoder (no model): p(a) = 0.9 for the first five tokens, then EOS
// with 0.97. The best output is "aaaaa" EOS; every shorter one ends with an improbable EOS. A
// search that stops at its first K finished hypotheses returns those short ones (they finish
// first) — what a trained reversal model showed in the CLI (beam 4 worse than greedy).

const [PAD, UNK, BOS, EOS, A] = [0, 1, 2, 3, 4];
const V = 5;

/** A stepper whose rows' next-token distribution depends only on how many tokens they hold. */
function scripted(R: number): Stepper {
  // −1 before the first step; without parents, row r continues row r (greedy never reorders).
  let lengths = new Int32Array(R).fill(-1);
  return {
    advance(_ids: Int32Array, parents: Int32Array | null) {
      lengths = Int32Array.from({ length: R }, (_, r) => lengths[parents?.[r] ?? r] + 1);
      const logProbs = new Float32Array(R * V);
      lengths.forEach((n, r) => {
        const p = n < 5 ? { [A]: 0.9, [EOS]: 0.06, [PAD]: 0.02, [UNK]: 0.01, [BOS]: 0.01 } : { [A]: 0.01, [EOS]: 0.97, [PAD]: 0.01, [UNK]: 0.005, [BOS]: 0.005 };
        for (let id = 0; id < V; id++) logProbs[r * V + id] = Math.log(p[id]);
      });
      return { logProbs, attention: null };
    },
  } as unknown as Stepper;
}

const options = (lengthPenalty: number): SearchOptions => ({
  bosId: BOS, eosId: EOS, lengthPenalty, coveragePenalty: 0, caps: Int32Array.of(12), sourceLengths: Int32Array.of(3), reversed: false,
});

describe('beamSearch', () => {
  test.each([2, 4, 8])('K = %i finds the best output even when shorter ones finish first', (K) => {
    const [[best, ...rest]] = beamSearch(scripted(K), 1, K, K, V, 3, options(0));
    expect(Array.from(best.tokens)).toEqual([A, A, A, A, A]);
    expect(best.score).toBeCloseTo(5 * Math.log(0.9) + Math.log(0.97), 5);
    expect(rest).toHaveLength(K - 1);
    for (const t of rest) expect(t.score).toBeLessThan(best.score);
  });

  test('with a length penalty too, and greedy agrees', () => {
    const [[best]] = beamSearch(scripted(4), 1, 4, 1, V, 3, options(0.6));
    expect(Array.from(best.tokens)).toEqual([A, A, A, A, A]);
    const [[g]] = greedySearch(scripted(1), 1, V, 3, options(0.6));
    expect(Array.from(g.tokens)).toEqual([A, A, A, A, A]);
    expect(g.score).toBeCloseTo(best.score, 5);
  });

  test('topCandidates equals a plain scan of every (row, id): ties, −∞ and dead rows included', () => {
    let x = 12345;
    const next = (): number => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 200; trial++) {
      const [K, V, n] = [1 + Math.floor(next() * 5), 1 + Math.floor(next() * 40), 1 + Math.floor(next() * 10)];
      const logProbs = new Float32Array(K * V);
      // Coarse values (many ties), some −∞, and rows whose prefix is −∞ (dead) or large.
      for (let i = 0; i < logProbs.length; i++) logProbs[i] = next() < 0.1 ? -Infinity : -Math.floor(next() * 8) / 4;
      const prefix = Float64Array.from({ length: K }, () => (next() < 0.2 ? -Infinity : -Math.floor(next() * 4) / 2 - (next() < 0.3 ? 1e6 : 0)));
      const got: Candidate[] = [];
      topCandidates(logProbs, prefix, 0, K, V, n, got);
      const all: Candidate[] = [];
      for (let row = 0; row < K; row++) {
        if (prefix[row] === -Infinity) continue;
        for (let id = 0; id < V; id++) all.push({ logProb: prefix[row] + logProbs[row * V + id], row, id });
      }
      // A stable sort keeps (row, id) order among equals.
      const want = all.sort((a, b) => (b.logProb > a.logProb ? 1 : b.logProb < a.logProb ? -1 : 0)).slice(0, n);
      expect(got).toEqual(want);
    }
  });
});
