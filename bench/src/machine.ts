import { cpus, totalmem } from 'node:os';
import { detectFeatures } from '@eddy/core-wasm';

/** What the numbers were measured on, printed above every table and as the first JSON line. */
export function machine() {
  const features = detectFeatures();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    simd: features.simd,
    relaxedSimd: features.relaxedSimd,
    threads: 1,
  };
}
