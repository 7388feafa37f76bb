import { describe, expect, test } from 'vitest';
import { assertFuzz } from '../../text/src/test-fuzz.js';
import { safetensorsTarget } from './test/fuzz-safetensors.js';

// Property-based: every file, well-formed or damaged, loads as laid out or ends in E_FORMAT or
// E_DTYPE, within the watchdog, leaving the arena as it was (`npm run bench -- fuzz` runs more).
describe('fuzz: loadSafetensors', () => {
  test('hand-laid files, damaged as a hostile user would', () => {
    const counts = assertFuzz(safetensorsTarget, 3000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });
});
