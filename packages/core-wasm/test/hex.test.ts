import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simdHex } from '../src/generated/simd.js';
import { decodeHex } from '../src/hex.js';

describe('decodeHex (the embedded builds)', () => {
  it('decodes every byte value, as Node decodes hex', () => {
    const bytes = Uint8Array.from({ length: 4099 }, (_, i) => (i * 7919 + (i >> 8)) & 255);
    const all = Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(decodeHex(all.toString('hex'))).equals(all)).toBe(true);
    expect(Array.from(decodeHex(Buffer.from(bytes).toString('hex')))).toEqual(Array.from(bytes));
    expect(decodeHex('').length).toBe(0);
  });

  it('the embedded simd build is the built wasm file, byte for byte', () => {
    const file = readFileSync(new URL('../wasm/eddy-core.wasm', import.meta.url));
    expect(Buffer.from(decodeHex(simdHex)).equals(file)).toBe(true);
  });
});
