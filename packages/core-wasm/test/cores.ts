import { expect } from 'vitest';
import { EddyError, loadCoreSync, type Core, type Variant } from '../src/index.node.js';

/**
 * The builds every kernel suite runs against: plain SIMD (what users get), the checked debug build
 * (`--uncheckedBehavior never`) and, where the engine has it, relaxed SIMD.
 */
export const VARIANTS: Variant[] = ['simd', 'debug', 'relaxed'];

const cache = new Map<Variant, Core>();

export function core(variant: Variant = 'simd'): Core {
  let c = cache.get(variant);
  if (!c) {
    c = loadCoreSync({ variant, deterministic: variant !== 'relaxed' });
    cache.set(variant, c);
  }
  return c;
}

/** A deterministic generator for test data (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [lo, hi). */
export function uniform(random: () => number, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

/** Largest |a − b| / (atol + rtol·|b|) over all elements: ≤ 1 means close. */
export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) return Infinity;
      continue;
    }
    if (a === b) continue;
    worst = Math.max(worst, Math.abs(a - b) / (atol + rtol * Math.abs(b)));
  }
  return worst;
}

/** Expects `fn` to throw an EddyError with this stable `code` and a message matching `message`. */
export function expectEddyError(fn: () => unknown, code: string, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(EddyError);
  expect((thrown as EddyError).code).toBe(code);
  expect((thrown as EddyError).message).toMatch(message);
}
