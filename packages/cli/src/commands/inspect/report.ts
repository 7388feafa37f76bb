import type { CellTraces, InspectResult, SpectrumPanel } from './inspection.js';

// The HTML report of `eddy inspect --report`: one self-contained page (inline CSS, inline SVG, a few
// lines of inline JS to pick the heatmap's cell; no URL, font or script from anywhere), readable
// offline and attachable to an issue. Everything is drawn here from the numbers of InspectResult.

/** Tokens in each small-multiple heatmap of the top cells (the main heatmap shows them all). */
const MULTIPLE_TOKENS = 400;
/** Colours of the layers' lines (colour-blind safe, Okabe–Ito). */
const LINE_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const num = (x: number): string => (Math.abs(x) >= 1e-2 && Math.abs(x) < 1e4 ? x.toFixed(3) : x.toExponential(2));
const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * The background of an activation v ∈ [−1, 1]: white at 0, to blue below and red above (the
 * diverging map of Karpathy et al.'s figures). Black text stays legible on both ends.
 */
function colour(v: number): string {
  const a = Math.max(-1, Math.min(1, v));
  const [r, g, b] = a >= 0 ? [214, 96, 77] : [67, 147, 195];
  const w = Math.abs(a);
  const mix = (c: number): number => Math.round(255 + (c - 255) * w);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** Values scaled into [−1, 1] for colouring: tanh outputs as they are, anything larger by its max |v|. */
function scaleOf(values: Float32Array): number {
  let m = 1;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/** Tokens as spans coloured by `values` (first `count`); a newline shows as ↵ before the line break. */
function heatmap(pieces: readonly string[], values: Float32Array, count: number, withIds: boolean): string {
  const scale = scaleOf(values);
  const out: string[] = [];
  for (let t = 0; t < Math.min(count, pieces.length); t++) {
    const piece = pieces[t];
    const shown = piece.includes('\n') ? escape(piece.replace(/\n/g, '↵')) : escape(piece);
    const id = withIds ? ` data-t="${t}"` : '';
    out.push(`<span${id} style="background:${colour(values[t] / scale)}">${shown}</span>${piece.includes('\n') ? '\n' : ''}`);
  }
  return out.join('');
}

/** ‖∂L/∂hₜ‖ over t per layer: an SVG line chart with a log-scaled y axis. */
function gradientPlot(g: InspectResult['gradientThroughTime']): string {
  const [W, H, left, right, top, bottom] = [720, 280, 64, 16, 16, 40];
  const logs = g.layers.flatMap((l) => l.norms.filter((v) => v > 0).map(Math.log10));
  if (logs.length === 0) return '<p>No gradient reached the window (every norm is 0).</p>';
  let lo = Math.floor(Math.min(...logs));
  let hi = Math.ceil(Math.max(...logs));
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x = (t: number): number => left + ((W - left - right) * t) / Math.max(1, g.steps - 1);
  const y = (v: number): number => top + ((H - top - bottom) * (hi - v)) / (hi - lo);
  const parts: string[] = [`<svg data-testid="gradient-plot" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="gtt-title">`, '<title id="gtt-title">Gradient norm through time per layer, log scale</title>'];
  for (let p = lo; p <= hi; p++) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(p).toFixed(1)}" y2="${y(p).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">1e${p}</text>`);
  }
  for (const t of [0, Math.floor((g.steps - 1) / 2), g.steps - 1]) {
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - bottom + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 4}" text-anchor="middle">step t of the window</text>`);
  g.layers.forEach((l, i) => {
    const pts = l.norms.map((v, t) => (v > 0 ? `${x(t).toFixed(1)},${y(Math.log10(v)).toFixed(1)}` : null)).filter((p) => p !== null);
    parts.push(`<polyline fill="none" stroke="${LINE_COLOURS[i % LINE_COLOURS.length]}" stroke-width="2" points="${pts.join(' ')}"/>`);
  });
  parts.push('</svg>');
  const legend = g.layers.map((l, i) => `<li><span class="swatch" style="background:${LINE_COLOURS[i % LINE_COLOURS.length]}"></span>${escape(l.name)}: first/last ${num(l.firstToLast)}</li>`).join('');
  return `${parts.join('\n')}\n<ul class="legend">${legend}</ul>`;
}

/** A bar of width 200: the shut fraction in blue from the left, the open one in red from the right. */
function saturationBar(low: number, high: number): string {
  return `<svg width="200" height="14" role="img" aria-label="${percent(low)} shut, ${percent(high)} open"><rect width="200" height="14" fill="#eee"/>` +
    `<rect width="${(200 * low).toFixed(1)}" height="14" fill="${colour(-1)}"/><rect x="${(200 * (1 - high)).toFixed(1)}" width="${(200 * high).toFixed(1)}" height="14" fill="${colour(1)}"/></svg>`;
}

/** One panel of eigenvalues in the complex plane, with the unit circle (|λ| = 1) dashed. */
function spectrumPlot(p: SpectrumPanel): string {
  const S = 180;
  const c = S / 2;
  let extent = 1.1;
  for (let i = 0; i < p.re.length; i++) extent = Math.max(extent, 1.05 * Math.hypot(p.re[i], p.im[i]));
  const k = (S / 2 - 8) / extent;
  const label = `${p.name}${p.gate === null ? '' : ` ${p.gate}`}`;
  const dots = Array.from(p.re, (re, i) => `<circle cx="${(c + k * re).toFixed(1)}" cy="${(c - k * p.im[i]).toFixed(1)}" r="2"/>`).join('');
  return `<figure class="panel"><svg viewBox="0 0 ${S} ${S}" width="${S}" height="${S}" role="img" aria-label="eigenvalues of W_hh ${escape(label)} in the complex plane">` +
    `<line x1="0" x2="${S}" y1="${c}" y2="${c}" class="grid"/><line y1="0" y2="${S}" x1="${c}" x2="${c}" class="grid"/>` +
    `<circle cx="${c}" cy="${c}" r="${k.toFixed(1)}" class="unit"/><g class="eig">${dots}</g></svg><figcaption>${escape(label)}</figcaption></figure>`;
}

function spectraTable(spectra: InspectResult['spectra']): string {
  const rows = spectra.map((s) => {
    const blocks = s.gates.map((b) => `${escape(b.gate)}: σ ${num(b.norm)}${b.radius === null ? '' : `, ρ ${num(b.radius)}`}`).join('<br>');
    return `<tr><th scope="row">${escape(s.name)}</th><td>${num(s.norm)}</td><td>${s.radius === null ? '—' : num(s.radius)}</td><td>${blocks || '—'}</td></tr>`;
  });
  return `<table><thead><tr><th scope="col">layer</th><th scope="col">σ_max(W_hh)</th><th scope="col">ρ(W_hh)</th><th scope="col">gate blocks</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function gatesTable(gates: InspectResult['gates']): string {
  const rows = gates.flatMap((l) =>
    l.gates.length === 0
      ? [`<tr><th scope="row">${escape(l.name)}</th><td colspan="5">no gates (Elman RNN)</td></tr>`]
      : l.gates.map((s) => `<tr><th scope="row">${escape(l.name)}</th><td>${escape(s.gate)}</td><td>${percent(s.low)}</td><td>${percent(s.high)}</td><td>${num(s.mean)}</td><td>${saturationBar(s.low, s.high)}</td></tr>`),
  );
  return `<table><thead><tr><th scope="col">layer</th><th scope="col">gate</th><th scope="col">shut (σ &lt; 0.1)</th><th scope="col">open (σ &gt; 0.9)</th><th scope="col">mean</th><th scope="col">shut | open</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
pre.text { white-space: pre-wrap; word-break: break-all; font: 14px/1.7 ui-monospace, monospace; border: 1px solid #ccc; padding: 0.6em; }
pre.small { max-height: 9em; overflow: hidden; font-size: 12px; }
table { border-collapse: collapse; margin: 0.5em 0; } th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
svg text { font: 12px system-ui, sans-serif; fill: #1a1a1a; } .grid { stroke: #ddd; }
.legend { list-style: none; padding: 0; display: flex; gap: 1.5em; } .swatch { display: inline-block; width: 1em; height: 0.6em; margin-right: 0.4em; }
.scale span { display: inline-block; padding: 0 0.6em; }
.panels { display: flex; flex-wrap: wrap; gap: 1em; } .panel { margin: 0; text-align: center; }
.unit { fill: none; stroke: #888; stroke-dasharray: 4 3; } .eig circle { fill: #0072b2; fill-opacity: 0.7; }
`;

// Recolours the main heatmap when another cell is picked; the data is the <script type="application/json"> below it.
// The page's colour function is this file's own (its source inlined), so both agree.
const SCRIPT = `
const data = JSON.parse(document.getElementById('cell-data').textContent);
const spans = document.querySelectorAll('#heatmap span[data-t]');
${colour.toString()}
document.getElementById('cell-pick').addEventListener('change', (e) => {
  const [l, i] = e.target.value.split(':').map(Number);
  const values = data[l].values[i];
  const scale = Math.max(1, ...values.map(Math.abs));
  spans.forEach((s) => { s.style.background = colour(values[Number(s.dataset.t)] / scale); });
});
`;

/** What the page draws beyond `InspectResult`'s numbers. */
export interface ReportData {
  /** The heatmaps' activations. */
  traces: CellTraces[];
  /** The tokens' texts. */
  pieces: readonly string[];
  /** [layer, index in its traces] of the cell shown first. */
  first: [number, number];
  /** Eigenvalues of every square W_hh block. */
  panels: SpectrumPanel[];
}

/** The report page for `r`. */
export function reportHtml(r: InspectResult, { traces, pieces, first, panels }: ReportData): string {
  const m = r.model;
  const options = traces.flatMap((tr) =>
    tr.cells.map((cell, i) => {
      const stats = r.cells[tr.layer].top.find((c) => c.cell === cell);
      const label = `${r.cells[tr.layer].name}, cell ${cell}${stats === undefined ? '' : ` (variance ${num(stats.variance)})`}`;
      const selected = tr.layer === first[0] && i === first[1] ? ' selected' : '';
      return `<option value="${tr.layer}:${i}"${selected}>${escape(label)}</option>`;
    }),
  );
  const data = JSON.stringify(traces.map((tr) => ({ cells: tr.cells, values: tr.values.map((v) => Array.from(v, (x) => Math.round(x * 1000) / 1000)) }))).replace(/</g, '\\u003c');
  const main = traces[first[0]].values[first[1]];
  const lastLayer = traces[traces.length - 1];
  const multiples = r.cells[lastLayer.layer].top.map((stats) => {
    const values = lastLayer.values[lastLayer.cells.indexOf(stats.cell)];
    return `<figure><figcaption>${escape(r.cells[lastLayer.layer].name)}, cell ${stats.cell}: variance ${num(stats.variance)}, range ${num(stats.min)} … ${num(stats.max)}</figcaption><pre class="text small">${heatmap(pieces, values, MULTIPLE_TOKENS, false)}</pre></figure>`;
  });
  const activation = r.cells[0].activation;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>eddy inspect: ${escape(r.checkpoint)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>eddy inspect: ${escape(r.checkpoint)}</h1>
<p>${m.cell.toUpperCase()}, ${m.numLayers} layer${m.numLayers === 1 ? '' : 's'} × ${m.hiddenSize} units, vocabulary ${m.vocabSize}, trained ${m.step} steps. Text: ${r.text.tokens} tokens of ${escape(r.text.label)}${r.text.unknownTokens > 0 ? ` (${r.text.unknownTokens} not in the vocabulary, read as &lt;unk&gt;)` : ''}.</p>

<h2 id="cells">Cell activations</h2>
<p>The text coloured by one cell's ${activation === 'tanh(c)' ? 'tanh(cₜ)' : 'hₜ'} after reading each token: <span style="background:${colour(-1)}">&nbsp;−1&nbsp;</span> <span style="background:${colour(0)}">&nbsp;0&nbsp;</span> <span style="background:${colour(1)}">&nbsp;+1&nbsp;</span>. The cells listed are each layer's ${traces[0].cells.length} with the largest variance over the text.</p>
<p><label for="cell-pick">Cell</label> <select id="cell-pick">${options.join('')}</select></p>
<pre id="heatmap" class="text" data-testid="heatmap">${heatmap(pieces, main, pieces.length, true)}</pre>
<h3>Top cells of ${escape(r.cells[lastLayer.layer].name)}, by variance</h3>
${multiples.join('\n')}

<h2 id="gradient">Gradient through time</h2>
<p>‖∂L/∂hₜ‖ for every step t of a window of ${r.gradientThroughTime.steps} tokens (${r.gradientThroughTime.batch} stream${r.gradientThroughTime.batch === 1 ? '' : 's'}), L the cross-entropy of the last step (${num(r.gradientThroughTime.loss)} nats). A line falling to the left is a vanishing gradient: what the model read at the start of the window barely moves L.</p>
${gradientPlot(r.gradientThroughTime)}

<h2 id="spectra">Spectra of W_hh</h2>
<p>σ_max is the largest singular value, ρ the spectral radius (largest |eigenvalue|). For an Elman RNN, ρ &lt; 1 makes gradients vanish over time and ρ &gt; 1 lets them explode; a gated cell's blocks are given one by one.</p>
${spectraTable(r.spectra)}
<p>The eigenvalues of each ${r.spectra[0].gates.length === 0 ? 'W_hh' : 'gate block of W_hh'} in the complex plane, against the unit circle |λ| = 1:</p>
<div class="panels">${panels.map(spectrumPlot).join('\n')}</div>

<h2 id="gates">Gate saturation</h2>
<p>The fraction of gate values shut (σ &lt; 0.1) and open (σ &gt; 0.9) over the text; a forget gate often open is a cell that remembers for long.</p>
${gatesTable(r.gates)}
</main>
<script type="application/json" id="cell-data">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
