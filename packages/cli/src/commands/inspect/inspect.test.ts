import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ready } from '@eddy/autograd';
import { gateStatistics, gradientThroughTime, recordStates, recurrentSpectra } from '@eddy/models';
import { splitCorpus } from '@eddy/text';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { externalReferences, htmlProblems } from '../../test/html.js';
import { runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';
import { gradientWindow, type InspectResult } from './inspection.js';
import { sparkline } from './sparkline.js';

let dir: string;
let ck: string;
let corpus: string;
const TEXT = SENTENCE.repeat(12) + '"quoted (and bracketed) text"\n'.repeat(6);

beforeAll(async () => {
  dir = tempDir();
  corpus = writeText(dir, 'train.txt', TEXT);
  ck = join(dir, 'run');
  expect((await runMain(['train', corpus, ...TINY.map((f, i) => (TINY[i - 1] === '--layers' ? '2' : f)), '--steps', '20', '--out', ck])).code).toBe(0);
});

async function inspectJson(...extra: string[]): Promise<InspectResult> {
  const r = await runMain(['inspect', ck, '--json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as InspectResult;
}

describe('eddy inspect --json', () => {
  test("the documented fields, each equal to the library's diagnostics over the validation text", async () => {
    const out = await inspectJson('--top', '3', '--window', '12');
    expect(Object.keys(out)).toEqual(['checkpoint', 'model', 'text', 'cells', 'gradientThroughTime', 'spectra', 'gates', 'report']);
    expect(out).toMatchObject({ checkpoint: ck, model: { cell: 'lstm', numLayers: 2, hiddenSize: 32, step: 20 }, report: null });

    // The validation split as eddy train made it (val-fraction default), read back independently.
    await ready();
    const { model, tokenizer, config } = readCheckpoint(ck);
    try {
      const val = splitCorpus(tokenizer.encode(TEXT), config.training.valFraction).val;
      expect(out.text).toEqual({ source: 'validation', label: `the validation text of ${corpus}`, tokens: val.length, unknownTokens: 0 });
      expect(out.model.vocabSize).toBe(tokenizer.vocab.size);

      const gradient = gradientThroughTime(model, gradientWindow(val, 12));
      expect(out.gradientThroughTime).toMatchObject({ steps: 12, batch: gradient.batch, loss: gradient.loss });
      expect(gradient.batch).toBe(Math.min(8, Math.floor((val.length - 1) / 12)));
      out.gradientThroughTime.layers.forEach((l, k) => {
        expect(l.norms).toEqual(Array.from(gradient.layers[k].norms));
        expect(l.firstToLast).toBe(l.norms[0] / l.norms[11]);
      });
      expect(out.spectra).toEqual(recurrentSpectra(model).map(({ name, layer, norm, radius, gates }) => ({ name, layer, norm, radius, gates })));
      expect(out.gates).toEqual(gateStatistics(model, val).layers.map(({ name, layer, gates }) => ({ name, layer, gates })));

      // Top cells: the largest variances of tanh(c) over the text, in order.
      const rec = recordStates(model, val);
      out.cells.forEach((layer, l) => {
        expect(layer).toMatchObject({ name: `l${l}`, layer: l, activation: 'tanh(c)' });
        const variances = Array.from({ length: 32 }, (_, j) => {
          const v = Array.from({ length: rec.steps }, (_, t) => Math.tanh(rec.layers[l].c![t * 32 + j]));
          const mean = v.reduce((s, x) => s + x, 0) / v.length;
          return v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
        });
        const order = variances.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, j]) => j);
        expect(layer.top.map((c) => c.cell)).toEqual(order);
        layer.top.forEach((c) => expect(c.variance).toBeCloseTo(variances[c.cell], 6));
      });
    } finally {
      model.dispose();
    }
  });

  test('--text and --length choose what is read; without the corpus the built-in snippet', async () => {
    const file = writeText(dir, 'other.txt', 'the lazy dog. '.repeat(30));
    const out = await inspectJson('--text', file, '--length', '50', '--window', '8');
    expect(out.text).toEqual({ source: 'file', label: file, tokens: 50, unknownTokens: 0 });
    expect(out.gradientThroughTime).toMatchObject({ steps: 8, batch: 6 });

    renameSync(corpus, corpus + '.moved');
    try {
      const snippet = await runMain(['inspect', ck, '--json', '--length', '80']);
      const r = JSON.parse(snippet.stdout) as InspectResult;
      expect(r.text).toMatchObject({ source: 'snippet', tokens: 80 });
      // The snippet has capitals and symbols this tiny vocabulary lacks: said on stderr, counted.
      expect(r.text.unknownTokens).toBeGreaterThan(0);
      expect(snippet.stderr).toMatch(/^eddy: warning: \d+ of the 80 characters of a built-in snippet .* are not in the vocabulary/);
    } finally {
      renameSync(corpus + '.moved', corpus);
    }
  });

  test('bad arguments end in one sentence', async () => {
    const bad = async (args: string[], code: number, message: RegExp): Promise<void> => {
      const r = await runMain(['inspect', ...args]);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
    };
    await bad([ck, '--cell', '32'], 2, /^eddy: --cell 32 is not a cell of .*: its layers have 32 cells, 0 … 31\.\n$/);
    await bad([ck, '--top', '0'], 2, /^eddy: --top expects an integer in \[1, 64\], got '0'/);
    await bad([ck, '--text', join(dir, 'nope.txt')], 1, /^eddy: the text file .*nope\.txt does not exist or cannot be read/);
    await bad([join(dir, 'none')], 1, /^eddy: the checkpoint directory .*none does not exist/);
    await bad([ck, '--text', writeText(dir, 'one.txt', 't'), '--json'], 1, /needs at least 2; give a longer --text file\.\n$/);
  });
});

describe('eddy inspect: summary and report', () => {
  test('the summary has a sparkline per layer and the text under the top cells', async () => {
    const r = await runMain(['inspect', ck, '--window', '16', '--text', corpus]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^.*run: LSTM, 2 layers × 32, vocabulary \d+, step 20\n/);
    expect(r.stdout).toMatch(/Gradient through time ‖∂L\/∂hₜ‖, t = 0 … 15/);
    expect(r.stdout).toMatch(/\n {2}l0 {3}[▁▂▃▄▅▆▇█]{16} {2}first\/last /);
    expect(r.stdout).toMatch(/\n {2}l1 {3}σ \d+\.\d{3}.*i: σ .* ρ /);
    expect(r.stdout).toMatch(/\n {2}l0 {3}i \d+% \/ \d+% {3}f \d+% \/ \d+% {3}o \d+% \/ \d+%\n/);
    expect(r.stdout).toMatch(/Top cells of l1 by variance of tanh\(c\), over the first 60 tokens:\n {2}#\d+ +variance [\d.e-]+ +[▁▂▃▄▅▆▇█]{60}\n +the quick brown fox/);
    expect(r.stdout).toMatch(/--report report\.html/);
  });

  test('--report writes one well-formed page with no external reference, holding every part', async () => {
    const report = join(dir, 'report.html');
    const out = await inspectJson('--report', report, '--cell', '5', '--top', '4');
    expect(out.report).toBe(report);
    const html = readFileSync(report, 'utf8');
    expect(htmlProblems(html)).toEqual([]);
    expect(externalReferences(html)).toEqual([]);
    for (const id of ['heatmap', 'gradient-plot']) expect(html).toContain(`data-testid="${id}"`);
    // One span per token in the main heatmap, the picked cell selected, every layer's top cells offered.
    const main = html.slice(html.indexOf('<pre id="heatmap"'), html.indexOf('</pre>', html.indexOf('<pre id="heatmap"')));
    expect(main.match(/<span data-t="/g)).toHaveLength(out.text.tokens);
    const picked = html.match(/<option value="1:(\d+)" selected>l1, cell (\d+)/);
    expect(picked?.[2]).toBe('5');
    expect(html.match(/<option value="0:/g)).toHaveLength(4);
    // The plot has one line per layer; the tables one row per layer (spectra) and per gate.
    expect(html.match(/<polyline /g)).toHaveLength(2);
    expect(html).toContain('<th scope="row">l1</th><td>' + out.spectra[1].norm.toFixed(3));
    expect(html.match(/<tr><th scope="row">l\d<\/th><td>[ifo]<\/td>/g)).toHaveLength(6);
    // Eigenvalues in the complex plane: a panel per gate block, a dot per eigenvalue.
    expect(html.match(/<figure class="panel">/g)).toHaveLength(8);
    expect(html.match(/<g class="eig">(<circle [^>]*\/>)+<\/g>/g)?.map((g) => g.match(/<circle/g)!.length)).toEqual(new Array(8).fill(32));
  });
});

test('sparkline: lowest to highest, buckets for long series, log scale', () => {
  expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  expect(sparkline([2, 2, 2])).toBe('▄▄▄');
  expect(sparkline([1, 10, 100, 1000], { log: true })).toBe('▁▃▆█');
  expect(sparkline([1, 0, 100], { log: true })).toBe('▁ █');
  expect(sparkline(Array.from({ length: 120 }, (_, i) => i), { width: 60 })).toHaveLength(60);
});

test('the page checks catch what they look for', () => {
  expect(htmlProblems('<!DOCTYPE html>\n<html><body><p>a & b</p><div></span></body></html>')).toEqual([
    "33: '&' starts no entity",
    '45: </span> closes <div>',
  ]);
  expect(htmlProblems('<!DOCTYPE html>\n<p title=x>1 < 2</p><script>const a = 1;')).toEqual([
    `16: malformed tag or stray '<': "<p title=x>1 < 2</p><script>const a = 1;"`,
    `29: malformed tag or stray '<': "< 2</p><script>const a = 1;"`,
    '32: </p> closes <nothing>',
    '36: <script> is never closed',
  ]);
  expect(htmlProblems('<!DOCTYPE html>\n<main><p>open')).toEqual(['end: unclosed <main>, <p>']);
  expect(externalReferences('<link rel="icon" href="data:,"><img src="a.png"><link rel="stylesheet" href="s.css"><a href="#top">x</a><style>@import "x.css"</style> https://example.org')).toEqual(['src="a.png"', 'href="s.css"', 'https://example.org', '@import']);
});
