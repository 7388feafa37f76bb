// Helpers shared by the tests (not exported from the package).
import { Generator } from '@eddy/autograd';

/** Code-point ranges a random string draws from: ASCII, Latin-1, combining marks, CJK, the BMP's top, astral planes. */
const RANGES: [number, number][] = [
  [0x00, 0x7f],
  [0x20, 0x7e],
  [0x20, 0x7e],
  [0x80, 0xff],
  [0x300, 0x36f],
  [0x4e00, 0x9fff],
  [0xe000, 0xffff],
  [0xfeff, 0xfeff],
  [0x1f300, 0x1faff],
  [0x10000, 0x10ffff],
];

/** A random well-formed string of up to `maxLength` code points (no surrogate halves). */
export function randomString(rng: Generator, maxLength: number): string {
  const n = rng.nextInt(maxLength + 1);
  const cps: number[] = [];
  for (let i = 0; i < n; i++) {
    const [lo, hi] = RANGES[rng.nextInt(RANGES.length)];
    cps.push(lo + rng.nextInt(hi - lo + 1));
  }
  return String.fromCodePoint(...cps);
}
