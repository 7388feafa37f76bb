import { manualSeed, randn, scope, type Tensor } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { BuiltModules } from '../../test/modules.js';
import '../gru.js';
import '../lstm.js';
import '../rnn.js';
import type { LayerResult, RecurrentBase } from '../runner.js';

// Every variant PyTorch lacks against a float64 reference of its equations: plain scalar loops
// over one batch element at a time (no tensors, no masks, no hoisting), at the bottom of this file.
// The module runs in float32, so the tolerance is 1e-5 (|a − b| ≤ tol·(1 + |b|)), as the parity
// tests' forward tolerance.

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult>;

const built = new BuiltModules();

const CASES: Array<[string, { type: string } & Record<string, unknown>]> = [
  ['LSTM peephole', { type: 'LSTM', peephole: true }],
  ['LSTM coupled input–forget gate', { type: 'LSTM', coupledInputForget: true }],
  ['LSTM peephole + coupled, no bias', { type: 'LSTM', peephole: true, coupledInputForget: true, bias: false }],
  ['LSTM layer norm', { type: 'LSTM', layerNorm: true }],
  ['LSTM layer norm + peephole + projection', { type: 'LSTM', layerNorm: true, peephole: true, projSize: 2 }],
  ['LSTM layer norm, no bias', { type: 'LSTM', layerNorm: true, bias: false }],
  ['LSTM forgetBias + orthogonal init (fused path)', { type: 'LSTM', forgetBias: 1, init: 'orthogonal' }],
  ['GRU reset-before (fused path)', { type: 'GRU', resetBefore: true }],
  ['GRU layer norm', { type: 'GRU', layerNorm: true }],
  ['GRU layer norm + reset-before', { type: 'GRU', layerNorm: true, resetBefore: true }],
  ['RNN layer norm, tanh', { type: 'RNN', layerNorm: true }],
  ['RNN layer norm, ReLU, no bias', { type: 'RNN', layerNorm: true, nonlinearity: 'relu', bias: false }],
  ['RNN identity init (IRNN), ReLU', { type: 'RNN', init: 'identity', nonlinearity: 'relu' }],
  ['GRU mergeMode sum', { type: 'GRU', mergeMode: 'sum' }],
  ['LSTM mergeMode mean + peephole', { type: 'LSTM', mergeMode: 'mean', peephole: true }],
  ['RNN mergeMode mul', { type: 'RNN', mergeMode: 'mul' }],
  ['LSTM residual, concat', { type: 'LSTM', residual: true, numLayers: 3 }],
  ['GRU residual + mergeMode mul + layer norm', { type: 'GRU', residual: true, mergeMode: 'mul', layerNorm: true }],
  ['LSTM residual + projection + mergeMode sum', { type: 'LSTM', residual: true, projSize: 2, mergeMode: 'sum' }],
];

describe('variants against a float64 reference of their equations', () => {
  it.each(CASES)('%s: 2 layers, bidirectional, with lengths', (_, options) => {
    manualSeed(21);
    const m = built.make<Recurrent>({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, ...options });
    m.eval();
    const cfg = m.toConfig() as unknown as RefConfig;
    const params = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Float64Array.from(t.toArray())]));
    const T = 5;
    const lengths = [5, 2, 4];
    scope(() => {
      const x = randn([T, 3, 3]);
      const flat = x.toArray();
      const xs = Array.from({ length: T }, (_t, t) => Array.from({ length: 3 }, (_b, b) => Array.from(flat.slice((t * 3 + b) * 3, (t * 3 + b + 1) * 3))));
      const want = referenceStack(cfg, params, xs, lengths);
      const got = m.forward(x, null, { lengths });
      expectClose('output', got.output, want.output.flat(2));
      expectClose('h', got.h, want.h.flat(2));
      if (cfg.type === 'LSTM') expectClose('c', got.c!, want.c.flat(2));
    });
  });
});

function expectClose(what: string, got: Tensor, want: number[]): void {
  const a = got.toArray();
  expect(a.length, what).toBe(want.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - want[i]), `${what}[${i}]: ${a[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
}

// The float64 reference: the whole stack with every variant, from the equations in the TSDoc.

/** The architecture the reference reads (a module's toConfig()). */
interface RefConfig {
  type: 'RNN' | 'LSTM' | 'GRU';
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  bidirectional: boolean;
  layerNorm: boolean;
  residual: boolean;
  mergeMode: 'concat' | 'sum' | 'mean' | 'mul';
  nonlinearity?: 'tanh' | 'relu';
  projSize?: number;
  peephole?: boolean;
  coupledInputForget?: boolean;
  resetBefore?: boolean;
}

type Vec = Float64Array;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** y = W v for W [rows, cols] row-major (rows offset by `first` rows). */
function matVec(w: ArrayLike<number>, cols: number, v: ArrayLike<number>, first: number, rows: number): Vec {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < cols; k++) s += w[(first + r) * cols + k] * v[k];
    out[r] = s;
  }
  return out;
}

/** In place: each block of `size` → γ (a − μ)/√(σ² + 1e-5) (γ from gain at the same offset). */
function layerNorm(a: Vec, size: number, gain: ArrayLike<number>, gainOffset: number): Vec {
  for (let s = 0; s < a.length; s += size) {
    let mu = 0;
    for (let k = 0; k < size; k++) mu += a[s + k];
    mu /= size;
    let v = 0;
    for (let k = 0; k < size; k++) v += (a[s + k] - mu) ** 2;
    const r = 1 / Math.sqrt(v / size + 1e-5);
    for (let k = 0; k < size; k++) a[s + k] = gain[gainOffset + s + k] * (a[s + k] - mu) * r;
  }
  return a;
}

/**
 * Runs the stack (eval mode) on x [T][B][I] with `lengths` and zero initial states; returns output
 * [T][B][F] and the final h [L·D][B][Hout] (and c [L·D][B][H] for an LSTM).
 */
function referenceStack(cfg: RefConfig, p: Record<string, ArrayLike<number>>, x: number[][][], lengths: number[]): { output: number[][][]; h: number[][][]; c: number[][][] } {
  const T = x.length;
  const B = x[0].length;
  const H = cfg.hiddenSize;
  const P = cfg.projSize ?? 0;
  const hOut = P > 0 ? P : H;
  const D = cfg.bidirectional ? 2 : 1;
  const G = cfg.type === 'RNN' ? 1 : cfg.type === 'GRU' ? 3 : cfg.coupledInputForget ? 3 : 4;
  const hs: number[][][] = [];
  const cs: number[][][] = [];
  let input = x;
  for (let l = 0; l < cfg.numLayers; l++) {
    const inSize = input[0][0].length;
    const dirs: number[][][][] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const w = (name: string): ArrayLike<number> => p[name + sfx];
      const out = Array.from({ length: T }, () => Array.from({ length: B }, () => new Array<number>(hOut).fill(0)));
      const hFinal: number[][] = [];
      const cFinal: number[][] = [];
      for (let b = 0; b < B; b++) {
        let h: Vec = new Float64Array(hOut);
        let c: Vec = new Float64Array(H);
        for (let k = 0; k < lengths[b]; k++) {
          const t = d === 1 ? lengths[b] - 1 - k : k;
          // The input and recurrent contributions of gate blocks [first, first + n).
          const inPart = (first: number, n: number): Vec => {
            const a = matVec(w('weight_ih'), inSize, input[t][b], first * H, n * H);
            if (cfg.layerNorm) layerNorm(a, H, w('weight_ln_ih'), first * H);
            if (cfg.bias) for (let r = 0; r < a.length; r++) a[r] += w('bias_ih')[first * H + r];
            return a;
          };
          const recPart = (v: ArrayLike<number>, first: number, n: number): Vec => {
            const a = matVec(w('weight_hh'), hOut, v, first * H, n * H);
            if (cfg.layerNorm) layerNorm(a, H, w('weight_ln_hh'), first * H);
            if (cfg.bias) for (let r = 0; r < a.length; r++) a[r] += w('bias_hh')[first * H + r];
            return a;
          };
          const xi = inPart(0, G);
          if (cfg.type === 'RNN') {
            const a = recPart(h, 0, 1);
            h = xi.map((v, r) => (cfg.nonlinearity === 'relu' ? Math.max(0, v + a[r]) : Math.tanh(v + a[r])));
          } else if (cfg.type === 'GRU') {
            const hr = recPart(h, 0, 3);
            const r = new Float64Array(H).map((_, j) => sigmoid(xi[j] + hr[j]));
            const z = new Float64Array(H).map((_, j) => sigmoid(xi[H + j] + hr[H + j]));
            const rn = cfg.resetBefore ? recPart(h.map((v, j) => r[j] * v), 2, 1) : hr.slice(2 * H).map((v, j) => r[j] * v);
            const n = new Float64Array(H).map((_, j) => Math.tanh(xi[2 * H + j] + rn[j]));
            h = n.map((v, j) => (1 - z[j]) * v + z[j] * h[j]);
          } else {
            const a = recPart(h, 0, G).map((v, r) => v + xi[r]);
            const off = cfg.coupledInputForget ? -H : 0; // block offsets of f, g, o move up one
            const cNew = new Float64Array(H);
            const hPre = new Float64Array(H);
            for (let j = 0; j < H; j++) {
              const peep = (name: string, v: number): number => (cfg.peephole ? w(name)[j] * v : 0);
              const f = sigmoid(a[H + off + j] + peep('weight_cf', c[j]));
              const i = cfg.coupledInputForget ? 1 - f : sigmoid(a[j] + peep('weight_ci', c[j]));
              cNew[j] = f * c[j] + i * Math.tanh(a[2 * H + off + j]);
              const o = sigmoid(a[3 * H + off + j] + peep('weight_co', cNew[j]));
              hPre[j] = o; // times tanh(LN(c)) below, once the whole c is known
            }
            const cAct = cfg.layerNorm ? layerNorm(Float64Array.from(cNew), H, w('weight_ln_c'), 0) : Float64Array.from(cNew);
            for (let j = 0; j < H; j++) hPre[j] *= Math.tanh(cAct[j] + (cfg.layerNorm && cfg.bias ? w('bias_ln_c')[j] : 0));
            h = P > 0 ? matVec(w('weight_hr'), H, hPre, 0, P) : hPre;
            c = cNew;
          }
          out[t][b] = Array.from(h);
        }
        hFinal.push(Array.from(h));
        cFinal.push(Array.from(c));
      }
      dirs.push(out);
      hs.push(hFinal);
      cs.push(cFinal);
    }
    const merged = dirs[0].map((rows, t) =>
      rows.map((row, b) => {
        if (D === 1) return row;
        const back = dirs[1][t][b];
        switch (cfg.mergeMode) {
          case 'concat': return [...row, ...back];
          case 'sum': return row.map((v, j) => v + back[j]);
          case 'mean': return row.map((v, j) => (v + back[j]) / 2);
          case 'mul': return row.map((v, j) => v * back[j]);
        }
      }),
    );
    input = cfg.residual && l > 0 ? merged.map((rows, t) => rows.map((row, b) => row.map((v, j) => v + input[t][b][j]))) : merged;
  }
  return { output: input, h: hs, c: cs };
}
