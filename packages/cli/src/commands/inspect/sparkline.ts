// Sparklines: a series as one line of block characters, for terminal summaries.

const BARS = '▁▂▃▄▅▆▇█';

/**
 * `values` as at most `width` block characters, lowest ▁ to highest █ (a run of equal values is
 * all ▄). Longer series are averaged in equal buckets. With `log`, log10 of the values is drawn
 * (for quantities spanning orders of magnitude, such as gradient norms); values ≤ 0 or non-finite
 * draw as a space.
 */
export function sparkline(values: ArrayLike<number>, options: { width?: number; log?: boolean } = {}): string {
  const width = options.width ?? 60;
  const n = values.length;
  const buckets = Math.min(n, width);
  const points: number[] = [];
  for (let i = 0; i < buckets; i++) {
    const from = Math.floor((i * n) / buckets);
    const to = Math.floor(((i + 1) * n) / buckets);
    let sum = 0;
    for (let k = from; k < to; k++) sum += values[k];
    const mean = sum / (to - from);
    points.push(options.log ? (mean > 0 ? Math.log10(mean) : NaN) : mean);
  }
  const finite = points.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return points
    .map((p) => {
      if (!Number.isFinite(p)) return ' ';
      if (hi === lo) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.floor(((p - lo) / (hi - lo)) * BARS.length))];
    })
    .join('');
}
