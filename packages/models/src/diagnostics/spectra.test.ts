import { readFileSync } from 'node:fs';
import { manualSeed, randn, scope, tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { LanguageModel } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { thrown } from '../test/thrown.js';
import { denseEigenvalues } from './eigenvalues.js';
import { eigenvalues, recurrentSpectra, spectralNorm, spectralRadius } from './spectra.js';

// Golden values from numpy (LAPACK's SVD and dgeev) for the same float32 matrices, written by
// scripts/make_spectra_fixture.py; and plain references computed here (trace, triangular matrices).

interface Case {
  name: string;
  shape: [number, number];
  values: number[];
  norm: number;
  radius: number | null;
}

const { cases } = JSON.parse(readFileSync(new URL('../../fixtures/spectra/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('spectralNorm and spectralRadius against numpy', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    scope(() => {
      const W = tensor(c.values, c.shape);
      expect(Math.abs(spectralNorm(W) - c.norm)).toBeLessThanOrEqual(1e-7 * c.norm);
      if (c.radius === null) {
        expect(() => spectralRadius(W)).toThrow(/must be square/);
        return;
      }
      // A near-Jordan block's eigenvalues move by ~(ε‖W‖)^(1/6) under any backward-stable method.
      const tol = c.name.startsWith('near-Jordan') ? 1e-2 : 1e-9;
      expect(Math.abs(spectralRadius(W) - c.radius)).toBeLessThanOrEqual(tol * c.radius);
    });
  });

  test('eigenvalues: a complex pair as two entries; the largest modulus is the radius', () => {
    scope(() => {
      const { re, im } = eigenvalues(tensor([0, -2, 2, 0], [2, 2]));
      expect([...re, ...im.map(Math.abs)]).toEqual([0, 0, 2, 2]);
      expect(im[0]).toBe(-im[1]);
      const c = cases.find((k) => k.name === 'top complex pair 12x12')!;
      const e = eigenvalues(tensor(c.values, c.shape));
      expect(e.re).toHaveLength(12);
      expect(Math.max(...Array.from(e.re, (r, i) => Math.hypot(r, e.im[i])))).toBeCloseTo(c.radius!, 9);
      expect(Array.from(e.im).filter((v) => v !== 0)).toHaveLength(2);
    });
  });

  test('the cases include what power iteration on W cannot do: a top complex pair', () => {
    expect(cases.map((c) => c.name)).toContain('top complex pair 12x12');
    expect(cases.map((c) => c.name)).toContain('orthogonal 32x32');
  });
});

describe('eigenvalues (dense Hessenberg QR)', () => {
  test('a rotation has ±i·r, a triangular matrix its diagonal, any matrix Σλ = trace', () => {
    const rot = denseEigenvalues([0, -2, 2, 0], 2);
    expect(Array.from(rot.re)).toEqual([0, 0]);
    expect(Array.from(rot.im).map(Math.abs)).toEqual([2, 2]);
    const n = 9;
    const tri = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) <= k % n ? Math.sin(k + 1) : 0));
    const diag = Array.from({ length: n }, (_, i) => tri[i * n + i]).sort((a, b) => a - b);
    const got = denseEigenvalues(tri, n);
    expect(Array.from(got.im)).toEqual(new Array(n).fill(0));
    Array.from(got.re).sort((a, b) => a - b).forEach((v, i) => expect(v).toBeCloseTo(diag[i], 12));
    for (const m of [3, 17, 40]) {
      const a = Array.from({ length: m * m }, (_, k) => Math.cos(k * k + 0.3 * k));
      const { re, im } = denseEigenvalues(a, m);
      let trace = 0;
      for (let i = 0; i < m; i++) trace += a[i * m + i];
      expect(re.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
      expect(im.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 9);
    }
  });
});

describe('recurrentSpectra', () => {
  test('per layer and direction; an orthogonal Elman W_hh has ρ = σ = 1', () => {
    manualSeed(4);
    const rnn = new RNN({ inputSize: 3, hiddenSize: 16, numLayers: 2, bidirectional: true, init: 'orthogonal' });
    const spectra = recurrentSpectra(rnn);
    expect(spectra.map((s) => s.name)).toEqual(['l0', 'l0_reverse', 'l1', 'l1_reverse']);
    for (const s of spectra) {
      expect(s.norm).toBeCloseTo(1, 5);
      expect(s.radius).toBeCloseTo(1, 5);
      expect(s.gates).toEqual([]);
    }
  });

  test('gate blocks of an LSTM and a GRU are the blocks of W_hh; a projection has no radius', () => {
    manualSeed(6);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 6 });
    const [l0] = recurrentSpectra(lstm);
    const W = Object.fromEntries(lstm.namedParameters()).weight_hh_l0;
    expect(l0.radius).toBeNull();
    expect(l0.norm).toBe(spectralNorm(W));
    expect(l0.gates.map((g) => g.gate)).toEqual(['i', 'f', 'g', 'o']);
    scope(() => {
      l0.gates.forEach((g, k) => {
        const block = W.slice(0, 6 * k, 6 * (k + 1));
        expect(g.norm).toBe(spectralNorm(block));
        expect(g.radius).toBe(spectralRadius(block));
        expect(g.radius!).toBeLessThanOrEqual(g.norm * (1 + 1e-12));
      });
    });
    expect(recurrentSpectra(new GRU({ inputSize: 2, hiddenSize: 4 }))[0].gates.map((g) => g.gate)).toEqual(['r', 'z', 'n']);
    expect(recurrentSpectra(new LSTM({ inputSize: 2, hiddenSize: 4, coupledInputForget: true }))[0].gates.map((g) => g.gate)).toEqual(['f', 'g', 'o']);
    expect(recurrentSpectra(new LSTM({ inputSize: 2, hiddenSize: 4, projSize: 2 }))[0].gates.every((g) => g.radius === null)).toBe(true);
    const lm = new LanguageModel({ vocabSize: 5, hiddenSize: 4, numLayers: 2, cell: 'rnn' });
    expect(recurrentSpectra(lm).map((s) => s.name)).toEqual(['l0', 'l1']);
  });

  test('refuses what it cannot read', () => {
    scope(() => {
      expect(thrown(() => spectralRadius(randn([3, 4])))).toMatch(/^E_SHAPE: spectralRadius: W must be square \[n, n\], got \[3, 4\]/);
      expect(thrown(() => spectralNorm(tensor([1, NaN], [1, 2])))).toMatch(/^E_ARGUMENT: spectralNorm: W must be finite/);
      expect(thrown(() => spectralNorm(randn([3])))).toMatch(/^E_SHAPE: spectralNorm: W must be a non-empty float32 matrix/);
      expect(thrown(() => spectralNorm(randn([2, 2]), { tolerence: 1 } as never))).toMatch(/did you mean "tolerance"/);
      expect(thrown(() => spectralNorm(randn([2, 2]), { maxIterations: 0 }))).toMatch(/^E_ARGUMENT: spectralNorm: maxIterations must be a positive integer, got 0/);
      expect(thrown(() => recurrentSpectra({} as never))).toMatch(/^E_ARGUMENT: recurrentSpectra: model must be/);
    });
  });
});
