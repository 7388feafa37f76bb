import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    // The JSON report feeds the pass/fail count that .ci/run prints last.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
  },
});
