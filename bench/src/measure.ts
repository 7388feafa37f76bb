import { Bench } from 'tinybench';

/**
 * Median time of `fn` in milliseconds, measured by tinybench for about `ms` milliseconds after a
 * warm-up. Medians, because these machines are shared and noisy; peers are measured in the same
 * run and compared as ratios.
 */
export async function medianMs(fn: () => void, ms = 400): Promise<number> {
  const bench = new Bench({ time: ms, warmupTime: Math.min(100, ms / 4), warmupIterations: 2, iterations: 3 });
  bench.add('task', fn);
  await bench.run();
  const result = bench.tasks[0].result as unknown as { error?: unknown; latency?: { p50?: number; mean: number } };
  if (result?.error) throw result.error;
  const latency = result?.latency;
  if (!latency) throw new Error('tinybench: no latency result');
  return latency.p50 ?? latency.mean;
}

/** The median of `xs` (not empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
