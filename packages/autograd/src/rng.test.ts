import { describe, expect, it } from 'vitest';
import { EddyError } from './backend.js';
import {
  Generator, defaultGenerator, getRngState, manualSeed, nextNormal, nextUint32, nextUniform, philox4x32, setRngState,
} from './rng.js';

// An independent Philox4x32-10 in BigInt arithmetic (64-bit products taken literally), the
// reference the 16-bit-limb implementation must match word for word.
function philoxRef(ctr: bigint[], key: bigint[]): bigint[] {
  const mask = 0xffffffffn;
  let [c0, c1, c2, c3] = ctr;
  let [k0, k1] = key;
  for (let r = 0; r < 10; r++) {
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ c3 ^ k1) & mask, p0 & mask];
    k0 = (k0 + 0x9e3779b9n) & mask;
    k1 = (k1 + 0xbb67ae85n) & mask;
  }
  return [c0, c1, c2, c3];
}

function refStream(seed: bigint, words: number): number[] {
  const key = [seed & 0xffffffffn, seed >> 32n];
  const out: number[] = [];
  for (let block = 0n; out.length < words; block++) {
    const ctr = [block & 0xffffffffn, (block >> 32n) & 0xffffffffn, (block >> 64n) & 0xffffffffn, block >> 96n];
    out.push(...philoxRef(ctr, key).map(Number));
  }
  return out.slice(0, words);
}

const hex = (s: string) => s.split(' ').map((w) => parseInt(w, 16));

describe('Philox4x32-10', () => {
  // Known-answer vectors from Random123's kat_vectors (philox4x32 10 ...).
  const kat: Array<[string, string, string]> = [
    ['00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ];
  it.each(kat)('matches Random123 for counter %s key %s', (ctr, key, expected) => {
    const out = new Uint32Array(4);
    const [k0, k1] = hex(key);
    philox4x32(hex(ctr), k0, k1, out);
    expect([...out]).toEqual(hex(expected));
    expect(philoxRef(hex(ctr).map(BigInt), [BigInt(k0), BigInt(k1)]).map(Number)).toEqual(hex(expected));
  });

  it('matches the BigInt reference on random counters and keys', () => {
    const g = new Generator(12345);
    const out = new Uint32Array(4);
    for (let i = 0; i < 200; i++) {
      const ctr = [g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()];
      const k0 = g.nextUint32();
      const k1 = g.nextUint32();
      philox4x32(ctr, k0, k1, out);
      expect([...out]).toEqual(philoxRef(ctr.map(BigInt), [BigInt(k0), BigInt(k1)]).map(Number));
    }
  });
});

describe('Generator', () => {
  it('streams blocks Philox(counter = i, key = seed) in order', () => {
    for (const seed of [0, 42, 2 ** 40 + 7]) {
      const g = new Generator(seed);
      const got = Array.from({ length: 23 }, () => g.nextUint32());
      expect(got).toEqual(refStream(BigInt(seed), 23));
    }
    const big = (1n << 64n) - 1n;
    const g = new Generator(big);
    expect(Array.from({ length: 9 }, () => g.nextUint32())).toEqual(refStream(big, 9));
  });

  it('derives uniforms from the top 24 bits, exactly representable in float32', () => {
    const g = new Generator(7);
    const words = refStream(7n, 1000);
    for (const w of words) {
      const u = g.nextUniform();
      expect(u).toBe((w >>> 8) / 2 ** 24);
      expect(Math.fround(u)).toBe(u);
      expect(u).toBeLessThan(1);
    }
  });

  it('the global functions use the default generator and manualSeed restarts it', () => {
    manualSeed(99);
    const a = [nextUint32(), nextUniform(), nextNormal()];
    manualSeed(99);
    expect([nextUint32(), nextUniform(), nextNormal()]).toEqual(a);
    expect(defaultGenerator.initialSeed()).toBe(99);
    manualSeed(99);
    expect(nextUint32()).toBe(refStream(99n, 1)[0]);
  });

  it('independent generators do not disturb each other', () => {
    const a = new Generator(5);
    const b = new Generator(5);
    const first = Array.from({ length: 10 }, () => a.nextUint32());
    manualSeed(1);
    nextUint32();
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(first);
  });

  it('a JSON round trip of the state continues identically (mid-block and with a spare normal)', () => {
    const g = new Generator(2024);
    for (let i = 0; i < 5; i++) g.nextUint32(); // mid-block
    g.nextNormal(); // leaves the pair's second normal pending
    const saved = JSON.parse(JSON.stringify(g.getState()));
    const expected = [g.nextNormal(), g.nextUint32(), g.nextUniform(), g.nextNormal(), g.nextNormal()];
    const h = new Generator(1).setState(saved);
    expect([h.nextNormal(), h.nextUint32(), h.nextUniform(), h.nextNormal(), h.nextNormal()]).toEqual(expected);
    expect(h.initialSeed()).toBe(2024);

    const c = h.clone();
    expect(c.nextUint32()).toBe(h.nextUint32());

    manualSeed(3);
    nextUniform();
    const s = getRngState();
    const next = [nextUint32(), nextUint32()];
    setRngState(s);
    expect([nextUint32(), nextUint32()]).toEqual(next);
  });

  it('carries the 128-bit counter across word boundaries', () => {
    const g = new Generator(11);
    g.setState({ algorithm: 'philox4x32-10', key: [11, 0], counter: [0xffffffff, 0xffffffff, 0, 0], index: 4, spareNormal: null });
    const out = new Uint32Array(4);
    philox4x32([0, 0, 1, 0], 11, 0, out);
    expect([g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()]).toEqual([...out]);
  });

  it('uniform moments over 10^5 draws: mean 1/2, variance 1/12', () => {
    const g = new Generator(1);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = g.nextUniform();
      s += u;
      s2 += u * u;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // Standard error of the mean is √(1/12/n) ≈ 9e-4; 5 standard errors.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(2e-3);
  });

  it('normal moments over 10^5 draws: mean 0, variance 1, skew 0, kurtosis 3', () => {
    const g = new Generator(2);
    const n = 100_000;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (let i = 0; i < n; i++) {
      const z = g.nextNormal();
      m1 += z;
      m2 += z * z;
      m3 += z * z * z;
      m4 += z * z * z * z;
    }
    expect(Math.abs(m1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m3 / n)).toBeLessThan(5 * Math.sqrt(15 / n));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });

  it('nextInt is uniform over [0, n) and fills respect their ranges', () => {
    const g = new Generator(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[g.nextInt(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const u = g.fillUniform(new Float32Array(10_000), -2, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    const z = g.fillNormal(new Float32Array(10_000), 5, 0.5);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    expect(Math.abs(mean - 5)).toBeLessThan(0.03);
  });

  it('rejects bad seeds and states with E_ARGUMENT', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, -1n, 1n << 64n]) {
      expect(() => manualSeed(bad as number)).toThrow(EddyError);
      try {
        manualSeed(bad as number);
      } catch (e) {
        expect((e as EddyError).code).toBe('E_ARGUMENT');
      }
    }
    const g = new Generator(1);
    expect(() => g.setState({ ...g.getState(), index: 5 })).toThrow(/philox4x32-10 state/);
    expect(() => g.setState({ ...g.getState(), key: [-1, 0] })).toThrow(EddyError);
    expect(() => g.nextInt(0)).toThrow(EddyError);
    expect(() => g.fillUniform(new Float32Array(1), 1, 0)).toThrow(EddyError);
  });
});
