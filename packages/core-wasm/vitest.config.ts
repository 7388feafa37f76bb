import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Node 20 runs the relaxed-SIMD build only with this flag (it is rejected in NODE_OPTIONS).
    pool: 'forks',
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 60_000,
    // The JSON report feeds the pass/fail count that .ci/run prints last.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
  },
});
