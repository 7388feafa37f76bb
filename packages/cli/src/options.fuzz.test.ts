import { describe, expect, test } from 'vitest';
import { assertFuzz } from '../../text/src/test-fuzz.js';
import { argsTarget } from './test/fuzz-args.js';

// Property-based: every argument list ends in values each command's schema allows or a
// UsageError, within the watchdog (`npm run bench -- fuzz` runs more).
describe('fuzz: parseArgs', () => {
  test('argument lists of every command', () => {
    const counts = assertFuzz(argsTarget, 5000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });
});
