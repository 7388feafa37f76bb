// Computations run both in Node and in Chromium; the browser test compares the results bit for bit.
// Each scenario is self-contained (it is sent to the page as source text): it gets the package's
// exports and a loaded core, and returns plain arrays.

/* eslint-disable @typescript-eslint/no-explicit-any */
export function gemmScenario(eddy: any, core: any): number[][] {
  // A deterministic integer hash stream, so both sides build identical inputs without sharing code.
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return ((s >>> 8) / (1 << 24)) * 2 - 1;
  };
  const results: number[][] = [];
  for (const [m, n, k, tA, tB] of [[37, 29, 53, false, false], [64, 64, 64, false, true], [5, 131, 17, true, true]] as const) {
    const a = Array.from({ length: m * k }, next);
    const b = Array.from({ length: k * n }, next);
    const pa = core.arena.fromF32(a);
    const pb = core.arena.fromF32(b);
    const pc = core.arena.allocF32(m * n);
    eddy.sgemm(core, { transA: tA, transB: tB, m, n, k, a: pa, b: pb, c: pc });
    results.push(Array.from(core.arena.readF32(pc, m * n)));
  }
  return results;
}

/**
 * A fused LSTM layer forward, both directions of a bidirectional layer writing the halves of one
 * [T, B, 2H] output, with ragged lengths; returns the output and final states.
 */
export function lstmScenario(eddy: any, core: any): number[][] {
  let s = 777;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return ((s >>> 8) / (1 << 24)) * 2 - 1;
  };
  const T = 9, B = 3, I = 5, H = 7;
  const fill = (n: number) => core.arena.fromF32(Array.from({ length: n }, next));
  const x = fill(T * B * I);
  const lengths = core.arena.fromI32([9, 4, 1]);
  const out = core.arena.allocF32(T * B * 2 * H);
  const results: number[][] = [];
  for (const reverse of [false, true]) {
    const hT = core.arena.allocF32(B * H);
    const cT = core.arena.allocF32(B * H);
    eddy.lstmForward(core, {
      T, B, I, H, reverse, x, lengths,
      wIh: fill(4 * H * I), wHh: fill(4 * H * H), bIh: fill(4 * H), bHh: fill(4 * H),
      h0: fill(B * H), c0: fill(B * H),
      out: out + (reverse ? H * 4 : 0), ldo: 2 * H, hT, cT,
    });
    results.push(Array.from(core.arena.readF32(hT, B * H)), Array.from(core.arena.readF32(cT, B * H)));
  }
  results.push(Array.from(core.arena.readF32(out, T * B * 2 * H)));
  return results;
}
