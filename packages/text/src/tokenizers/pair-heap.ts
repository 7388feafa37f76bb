/**
 * A binary min-heap of (p, q) number pairs ordered lexicographically: smallest p first, ties by
 * smallest q. BPE uses it twice: training pops the most frequent pair (p = −count, q = pair key),
 * encoding pops the earliest merge (p = rank, q = position). Entries are never updated in place;
 * callers push a fresh entry and skip stale ones when they pop (lazy deletion).
 */
export class PairHeap {
  private p: number[] = [];
  private q: number[] = [];

  get size(): number {
    return this.p.length;
  }

  push(p: number, q: number): void {
    const { p: P, q: Q } = this;
    let i = P.length;
    P.push(p);
    Q.push(q);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (P[parent] < p || (P[parent] === p && Q[parent] <= q)) break;
      P[i] = P[parent];
      Q[i] = Q[parent];
      i = parent;
    }
    P[i] = p;
    Q[i] = q;
  }

  /** The smallest entry's p and q (heap must be non-empty). */
  peekP(): number {
    return this.p[0];
  }

  peekQ(): number {
    return this.q[0];
  }

  /** Removes the smallest entry (read it first with peekP/peekQ). */
  pop(): void {
    const { p: P, q: Q } = this;
    const lastP = P.pop() as number;
    const lastQ = Q.pop() as number;
    const n = P.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (P[c + 1] < P[c] || (P[c + 1] === P[c] && Q[c + 1] < Q[c]))) c++;
      if (lastP < P[c] || (lastP === P[c] && lastQ <= Q[c])) break;
      P[i] = P[c];
      Q[i] = Q[c];
      i = c;
    }
    P[i] = lastP;
    Q[i] = lastQ;
  }
}
