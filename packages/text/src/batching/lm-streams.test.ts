import { describe, expect, test } from 'vitest';
import { LmBatcher, type LmWindow } from './lm-streams.js';

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** PyTorch's word_language_model batchify + get_batch, with plain arrays: data[t][b] = ids[r + b·L + t]. */
function reference(ids: Int32Array, B: number, k1: number, r = 0): { x: number[][]; y: number[][] }[] {
  const L = Math.floor((ids.length - r) / B);
  const data = Array.from({ length: L }, (_, t) => Array.from({ length: B }, (_, b) => ids[r + b * L + t]));
  const out = [];
  for (let i = 0; i < L - 1; i += k1) {
    const T = Math.min(k1, L - 1 - i);
    out.push({ x: data.slice(i, i + T), y: data.slice(i + 1, i + 1 + T) });
  }
  return out;
}

function asRows(w: LmWindow, which: 'inputs' | 'targets'): number[][] {
  return Array.from({ length: w.steps }, (_, t) => Array.from(w[which].subarray(t * w.batchSize, (t + 1) * w.batchSize)));
}

describe('LmBatcher', () => {
  test('B contiguous streams cut into time-major windows, as PyTorch batchify/get_batch', () => {
    const ids = range(23).map((x) => x * 10);
    const batcher = new LmBatcher(ids, { batchSize: 3, seqLen: 4 });
    const ref = reference(ids, 3, 4);
    expect(ref.length).toBe(2);
    expect(batcher.windowsInEpoch).toBe(2);
    for (const r of ref) {
      const w = batcher.next();
      expect(asRows(w, 'inputs')).toEqual(r.x);
      expect(asRows(w, 'targets')).toEqual(r.y);
    }
    // Stream 1 is ids 7…13: the first window's column 1 is 70, 80, 90, 100.
    expect(ref[0].x.map((row) => row[1])).toEqual([70, 80, 90, 100]);
  });

  test('windows continue each other, and every id but the first of each stream is a target once per epoch', () => {
    const ids = range(1000);
    const B = 7;
    const batcher = new LmBatcher(ids, { batchSize: B, seqLen: 9 });
    const seen = new Map<number, number>();
    let prev: LmWindow | null = null;
    for (const w of batcher.epochWindows()) {
      if (prev !== null) {
        for (let b = 0; b < B; b++) expect(w.inputs[b]).toBe(prev.targets[(prev.steps - 1) * B + b]);
      }
      for (const y of w.targets) seen.set(y, (seen.get(y) ?? 0) + 1);
      prev = w;
    }
    const L = Math.floor(1000 / B);
    expect(seen.size).toBe(B * (L - 1));
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
    for (let b = 0; b < B; b++) expect(seen.has(b * L)).toBe(false);
  });

  test('reset marks the first window of every epoch; next() rolls into the next epoch', () => {
    const batcher = new LmBatcher(range(50), { batchSize: 2, seqLen: 5 }); // L = 25: 5 windows
    const windows = Array.from({ length: 11 }, () => batcher.next());
    expect(windows.map((w) => w.reset)).toEqual([true, false, false, false, false, true, false, false, false, false, true]);
    expect(windows.map((w) => w.epoch)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2]);
    expect(windows.map((w) => w.steps)).toEqual([5, 5, 5, 5, 4, 5, 5, 5, 5, 4, 5]);
    expect(asRows(windows[5], 'inputs')).toEqual(asRows(windows[0], 'inputs'));
  });

  test('dropLast skips the short last window', () => {
    const batcher = new LmBatcher(range(50), { batchSize: 2, seqLen: 5, dropLast: true });
    expect(batcher.windowsInEpoch).toBe(4);
    expect([...batcher.epochWindows()].map((w) => w.steps)).toEqual([5, 5, 5, 5]);
  });

  test('detachAt leaves the last k2 steps for gradients', () => {
    const batcher = new LmBatcher(range(50), { batchSize: 2, seqLen: 5, bptt: 3 });
    expect([...batcher.epochWindows()].map((w) => [w.steps, w.detachAt])).toEqual([[5, 2], [5, 2], [5, 2], [5, 2], [4, 1]]);
    const full = new LmBatcher(range(50), { batchSize: 2, seqLen: 5 });
    expect(full.next().detachAt).toBe(0);
  });

  test('random offsets: deterministic given the seed, within [0, k1), and the layout of reference(r)', () => {
    const ids = range(500);
    const run = (seed: number) => {
      const batcher = new LmBatcher(ids, { batchSize: 4, seqLen: 10, randomOffset: true, seed });
      const firsts: number[] = [];
      for (let i = 0; i < 200; i++) {
        const w = batcher.next();
        if (w.reset) firsts.push(w.inputs[0]); // stream 0 starts at r
      }
      return firsts;
    };
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    expect(a.every((r) => r >= 0 && r < 10)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(3);

    const batcher = new LmBatcher(ids, { batchSize: 4, seqLen: 10, randomOffset: true, seed: 1 });
    const ws = [...batcher.epochWindows()];
    const ref = reference(ids, 4, 10, ws[0].inputs[0]);
    expect(ws.map((w) => asRows(w, 'inputs'))).toEqual(ref.map((r) => r.x));
  });

  test('getState/setState resumes exactly, through JSON', () => {
    const opts = { batchSize: 3, seqLen: 7, randomOffset: true, seed: 5 };
    const ids = range(400);
    const a = new LmBatcher(ids, opts);
    for (let i = 0; i < 23; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const rest = Array.from({ length: 40 }, () => a.next());
    const b = new LmBatcher(ids, opts);
    b.setState(saved);
    expect(Array.from({ length: 40 }, () => b.next())).toEqual(rest);
  });

  test('bad options and states are typed errors', () => {
    const err = (re: RegExp) => expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(re) });
    expect(() => new LmBatcher(range(10), { batchSize: 6, seqLen: 4 })).toThrow(err(/corpus of 10 tokens is too small for batchSize 6/));
    expect(() => new LmBatcher(range(100), { batchSize: 2, seqLen: 4, bptt: 5 })).toThrow(err(/bptt \(k2\) must be an integer in \[1, 4\], got 5/));
    expect(() => new LmBatcher([1, 2, 3] as unknown as Int32Array, { batchSize: 1, seqLen: 1 })).toThrow(err(/ids must be an Int32Array/));
    const batcher = new LmBatcher(range(100), { batchSize: 2, seqLen: 4 });
    const good = batcher.getState();
    const bad = (re: RegExp) => expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(re) });
    expect(() => batcher.setState({ ...good, window: 99 })).toThrow(bad(/window must be an integer in \[0, 13\], got 99/));
    expect(() => batcher.setState({ ...good, offset: 3 })).toThrow(bad(/offset must be an integer in \[0, 0\]/));
    expect(() => batcher.setState({ ...good, rng: {} as never })).toThrow(bad(/philox/));
    expect(batcher.getState()).toEqual(good);
  });
});
