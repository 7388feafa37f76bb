import { EddyError } from './backend.js';

// One seeded random stream for everything random in Eddy (initialisers, dropout, rand/randn,
// shuffling, sampling). The integer stream is Philox4x32-10 (Salmon et al., "Parallel random
// numbers: as easy as 1, 2, 3", SC 2011; the generator PyTorch uses on CUDA), computed with 32-bit
// integer arithmetic only, so Node and every browser produce the same bits. Floats are derived from
// those bits with exactly rounded operations; the normal transform uses Math.log/cos/sin, which V8
// implements with the same fdlibm port in Node and Chromium.

// Philox4x32 round multipliers and Weyl key increments (Random123, philox.h).
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** PyTorch's default CPU seed, so an unseeded run is still reproducible. */
export const DEFAULT_SEED = 67280421310721;

const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;

/** High 32 bits of the 64-bit product of two uint32s, exact via 16-bit limbs (each partial < 2³²). */
function mulhi32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32-10: encrypts the 128-bit counter `ctr` under the 64-bit key (k0, k1) with ten rounds,
 * writing four uint32s to `out`. Exported for the known-answer test.
 */
export function philox4x32(ctr: ArrayLike<number>, k0: number, k1: number, out: Uint32Array): void {
  let c0 = ctr[0] >>> 0;
  let c1 = ctr[1] >>> 0;
  let c2 = ctr[2] >>> 0;
  let c3 = ctr[3] >>> 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/**
 * Everything needed to continue a generator exactly: plain numbers, so `JSON.stringify` round-trips
 * it (a checkpoint stores it next to the optimizer state).
 */
export interface GeneratorState {
  algorithm: 'philox4x32-10';
  /** The seed as two uint32 words (low, high): Philox's key. */
  key: [number, number];
  /** The 128-bit block counter as four uint32 words, least significant first. */
  counter: [number, number, number, number];
  /** Words of the current block already used, 0…4. */
  index: number;
  /** The second normal of the last Box–Muller pair, not yet returned. */
  spareNormal: number | null;
}

function badSeed(seed: unknown): EddyError {
  const shown = typeof seed === 'bigint' ? `${seed}n` : typeof seed === 'number' ? String(seed) : typeof seed;
  return new EddyError('E_ARGUMENT', `manualSeed: seed must be an integer in [0, 2^64), got ${shown}`);
}

/** Splits a seed into Philox's two key words; negative, fractional or ≥ 2⁶⁴ seeds are errors. */
function seedKey(seed: number | bigint): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw badSeed(seed);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw badSeed(seed);
  return [seed % TWO_POW_32, Math.floor(seed / TWO_POW_32)];
}

function isUint32(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < TWO_POW_32;
}

/**
 * A seeded random generator. `new Generator(seed)` gives an independent stream; the module-level
 * functions (`manualSeed`, `nextUniform`, …) use the shared `defaultGenerator`.
 *
 * The stream is block i = Philox(counter = i, key = seed); words are used in order, four per block.
 */
export class Generator {
  private k0 = 0;
  private k1 = 0;
  private readonly ctr = new Uint32Array(4);
  private readonly block = new Uint32Array(4);
  private index = 0;
  private spare: number | null = null;
  private seedValue: number | bigint = 0;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (a non-negative integer below 2⁶⁴; bigint for > 2⁵³). */
  manualSeed(seed: number | bigint): this {
    [this.k0, this.k1] = seedKey(seed);
    this.seedValue = seed;
    this.ctr.fill(0);
    this.index = 0;
    this.spare = null;
    philox4x32(this.ctr, this.k0, this.k1, this.block);
    return this;
  }

  /** The seed the stream started from (PyTorch's `initial_seed`). */
  initialSeed(): number | bigint {
    return this.seedValue;
  }

  /** The next uint32 of the stream. */
  nextUint32(): number {
    if (this.index === 4) {
      // 128-bit increment with carry; wraps after 2¹²⁸ blocks, which no run reaches.
      for (let w = 0; w < 4; w++) {
        this.ctr[w] = (this.ctr[w] + 1) >>> 0;
        if (this.ctr[w] !== 0) break;
      }
      philox4x32(this.ctr, this.k0, this.k1, this.block);
      this.index = 0;
    }
    return this.block[this.index++];
  }

  /**
   * A uniform float in [0, 1) with 24 random bits: u = ⌊x / 2⁸⌋ · 2⁻²⁴, exactly representable in
   * float32, so storing it in a Float32Array never rounds it up to 1.
   */
  nextUniform(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_M24;
  }

  /** A uniform float64 in [0, 1) with 53 random bits (two words), for transforms that need tails. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /**
   * A standard normal (float64) by the Box–Muller transform on two 53-bit uniforms:
   * r = √(−2 ln(1 − u₁)), z₁ = r cos 2πu₂, z₂ = r sin 2πu₂; z₂ is kept for the next call.
   * NOTE: 1 − u₁ ∈ (0, 1], so the log never sees 0 and |z| ≤ √(2·53 ln 2) ≈ 8.57.
   */
  nextNormal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = this.nextDouble();
    const u2 = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** An integer uniform in [0, n), unbiased (rejection of the top partial range), n ≤ 2³². */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new EddyError('E_ARGUMENT', `nextInt: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fills `out` with uniforms in [low, high): low + (high − low)·u, rounded once to float32. */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    checkRange('fillUniform', low, high);
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * this.nextUniform();
    return out;
  }

  /** Fills `out` with normals of the given mean and standard deviation, rounded once to float32. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new EddyError('E_ARGUMENT', `fillNormal: mean must be finite and std finite and >= 0, got mean ${mean}, std ${std}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.nextNormal();
    return out;
  }

  /** A copy of the state; `setState` with it continues the stream exactly from here. */
  getState(): GeneratorState {
    return {
      algorithm: 'philox4x32-10',
      key: [this.k0, this.k1],
      counter: [this.ctr[0], this.ctr[1], this.ctr[2], this.ctr[3]],
      index: this.index,
      spareNormal: this.spare,
    };
  }

  /** Restores a state from `getState` (possibly after a JSON round trip). */
  setState(state: GeneratorState): this {
    const s = state as Partial<GeneratorState> | null;
    const ok =
      s !== null &&
      typeof s === 'object' &&
      s.algorithm === 'philox4x32-10' &&
      Array.isArray(s.key) && s.key.length === 2 && s.key.every(isUint32) &&
      Array.isArray(s.counter) && s.counter.length === 4 && s.counter.every(isUint32) &&
      Number.isInteger(s.index) && (s.index as number) >= 0 && (s.index as number) <= 4 &&
      (s.spareNormal === null || Number.isFinite(s.spareNormal));
    if (!ok) {
      throw new EddyError('E_ARGUMENT', 'setState: expected a philox4x32-10 state from getState(), got a malformed object');
    }
    [this.k0, this.k1] = s.key as [number, number];
    // Seeds above 2⁵³ were given as bigint, so hand them back as one.
    this.seedValue = this.k1 < 2 ** 21 ? this.k1 * TWO_POW_32 + this.k0 : (BigInt(this.k1) << 32n) | BigInt(this.k0);
    this.ctr.set(s.counter as number[]);
    this.index = s.index as number;
    this.spare = s.spareNormal as number | null;
    philox4x32(this.ctr, this.k0, this.k1, this.block);
    return this;
  }

  /** An independent copy at the same position. */
  clone(): Generator {
    return new Generator(0).setState(this.getState());
  }
}

function checkRange(op: string, low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low <= high) || !Number.isFinite(high - low)) {
    throw new EddyError('E_ARGUMENT', `${op}: need finite low <= high, got low ${low}, high ${high}`);
  }
}

/** The generator every random operation uses unless given its own. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (torch.manual_seed). */
export function manualSeed(seed: number | bigint): void {
  defaultGenerator.manualSeed(seed);
}

/** The next uint32 of the default generator. */
export function nextUint32(): number {
  return defaultGenerator.nextUint32();
}

/** A uniform float in [0, 1) with 24 random bits from the default generator. */
export function nextUniform(): number {
  return defaultGenerator.nextUniform();
}

/** A standard normal from the default generator. */
export function nextNormal(): number {
  return defaultGenerator.nextNormal();
}

/** The default generator's state, for checkpoints. */
export function getRngState(): GeneratorState {
  return defaultGenerator.getState();
}

/** Restores the default generator's state. */
export function setRngState(state: GeneratorState): void {
  defaultGenerator.setState(state);
}
