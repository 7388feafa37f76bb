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
  const result = bench.tasks[0].result as unknown as { error?: unknown; samples?: number[]; mean?: number; latency?: { samples?: number[]; mean: number } };
  if (result?.error) throw result.error;
  const samples = result?.samples ?? result?.latency?.samples ?? [];
  if (samples.length === 0) return result?.mean ?? result?.latency?.mean ?? NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
