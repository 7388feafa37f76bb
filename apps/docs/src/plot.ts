/** One line of a plot: y values at x = 0, 1, … (or at `x`). */
export interface Series {
  label: string;
  color: string;
  y: number[];
  x?: number[];
}

export interface PlotGeometry {
  left: number;
  bottom: number;
  lines: { label: string; color: string; points: string }[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

/** Short tick labels: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

/**
 * The SVG geometry of a line plot (points in viewBox units, ticks at the ends and middle of each
 * axis). Non-finite values, and values ≤ 0 on a log axis, are left out of the lines.
 */
export function linePlotGeometry(series: Series[], o: { width: number; height: number; logY: boolean }): PlotGeometry {
  const left = 64, top = 10, right = o.width - 10, bottom = o.height - 34;
  const f = (v: number) => (o.logY ? Math.log10(v) : v);
  const usable = (v: number) => Number.isFinite(v) && (!o.logY || v > 0);
  const xs = series.flatMap((s) => s.y.map((_, i) => s.x?.[i] ?? i));
  const ys = series.flatMap((s) => s.y.filter(usable).map(f));
  let [x0, x1] = [Math.min(0, ...xs), Math.max(1, ...xs)];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  if (x1 === x0) x1 = x0 + 1;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (right - left);
  const py = (y: number) => bottom - ((y - y0) / (y1 - y0)) * (bottom - top);
  const lines = series.map((s) => ({
    label: s.label,
    color: s.color,
    points: s.y.map((v, i) => (usable(v) ? `${px(s.x?.[i] ?? i).toFixed(1)},${py(f(v)).toFixed(1)}` : '')).filter(Boolean).join(' '),
  }));
  const unlog = (v: number) => (o.logY ? 10 ** v : v);
  const yTicks = [y0, (y0 + y1) / 2, y1].map((v) => ({ y: py(v), label: tickLabel(unlog(v)) }));
  const xTicks = [x0, Math.round((x0 + x1) / 2), x1].map((v) => ({ x: px(v), label: tickLabel(v) }));
  return { left, bottom, lines, xTicks, yTicks };
}
