import type { CellTraces, InspectResult } from './inspection.js';
import { sparkline } from './sparkline.js';

// The terminal summary of `eddy inspect` (without --json): a few lines per diagnostic, series as
// sparklines.

/** Tokens of text shown under each cell's sparkline. */
const SHOWN_TOKENS = 60;

const percent = (x: number): string => `${(100 * x).toFixed(0)}%`;
const num = (x: number): string => (Math.abs(x) >= 1e-2 && Math.abs(x) < 1e4 ? x.toFixed(3) : x.toExponential(1));

/** One visible column per token: a newline as ⏎, a tab as →, other control characters as ·. */
function visible(piece: string): string {
  return piece.replace(/\n/g, '⏎').replace(/\t/g, '→').replace(/[\u0000-\u001f]/g, '·');
}

/** The summary, ready to print. `pieces` are the tokens' texts (aligned under cell sparklines when each is one character). */
export function summaryText(r: InspectResult, traces: CellTraces[], pieces: readonly string[]): string {
  const lines: string[] = [];
  const m = r.model;
  lines.push(`${r.checkpoint}: ${m.cell.toUpperCase()}, ${m.numLayers} layer${m.numLayers === 1 ? '' : 's'} × ${m.hiddenSize}, vocabulary ${m.vocabSize}, step ${m.step}`);
  lines.push(`Text: ${r.text.tokens} tokens of ${r.text.label}`);

  const g = r.gradientThroughTime;
  lines.push('', `Gradient through time ‖∂L/∂hₜ‖, t = 0 … ${g.steps - 1} (log scale; L = loss of the last step, ${g.batch} stream${g.batch === 1 ? '' : 's'}):`);
  for (const l of g.layers) lines.push(`  ${l.name.padEnd(4)} ${sparkline(l.norms, { log: true })}  first/last ${num(l.firstToLast)}`);

  lines.push('', 'Spectra of W_hh (σ largest singular value, ρ spectral radius):');
  for (const s of r.spectra) {
    const whole = `σ ${num(s.norm)}${s.radius === null ? '' : `  ρ ${num(s.radius)}`}`;
    const blocks = s.gates.map((b) => `${b.gate}: σ ${num(b.norm)}${b.radius === null ? '' : ` ρ ${num(b.radius)}`}`).join('   ');
    lines.push(`  ${s.name.padEnd(4)} ${whole}${blocks ? `   ${blocks}` : ''}`);
  }

  lines.push('', 'Gate saturation (shut σ < 0.1 / open σ > 0.9):');
  for (const l of r.gates) {
    lines.push(`  ${l.name.padEnd(4)} ${l.gates.length === 0 ? 'no gates (Elman RNN)' : l.gates.map((s) => `${s.gate} ${percent(s.low)} / ${percent(s.high)}`).join('   ')}`);
  }

  const last = r.cells[r.cells.length - 1];
  const trace = traces[traces.length - 1];
  const shown = pieces.slice(0, SHOWN_TOKENS);
  const aligned = shown.every((p) => [...p].length === 1);
  lines.push('', `Top cells of ${last.name} by variance of ${last.activation}, over the first ${shown.length} tokens:`);
  for (const c of last.top.slice(0, 4)) {
    const values = trace.values[trace.cells.indexOf(c.cell)].subarray(0, SHOWN_TOKENS);
    const head = `  #${String(c.cell).padEnd(4)} variance ${num(c.variance).padEnd(8)} `;
    lines.push(head + sparkline(values, { width: SHOWN_TOKENS }));
    if (aligned) lines.push(' '.repeat(head.length) + shown.map(visible).join(''));
  }
  if (r.report === null) lines.push('', 'Write the heatmaps, plots and tables as a page with --report report.html.');
  else lines.push('', `Report: ${r.report}`);
  return lines.join('\n') + '\n';
}
