import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The vitest settings every workspace shares: tests beside the code, forked workers, and a JSON
 * report that feeds the pass/fail count `.ci/run` prints last. `extra` adds a package's own.
 */
export function packageConfig(extra: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: '.vitest/results.json' },
      ...extra,
    },
  });
}
