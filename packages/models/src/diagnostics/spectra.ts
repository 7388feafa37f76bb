import { Tensor } from '@eddy/autograd';
import { checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { denseEigenvalues, type Eigenvalues } from './eigenvalues.js';
import { layerKeys, recurrentOf, type DiagnosedModel, type LayerKey } from './watch.js';

/** `spectralNorm` options. */
export interface SpectralNormOptions {
  /** Stop when an iteration changes the estimate by less than this, relatively. Default 1e-10. */
  tolerance?: number;
  /** At most this many iterations. Default 1000. */
  maxIterations?: number;
}

const TOLERANCE = 1e-10;
const MAX_ITERATIONS = 1000;

/** Largest matrix side `spectralRadius` accepts: the dense eigenvalue routine is O(n³). */
export const MAX_SPECTRAL_SIZE = 2048;

/**
 * σ_max(W), the largest singular value of a matrix W [n, m] (its operator 2-norm), by power
 * iteration on WᵀW: vₖ₊₁ = WᵀW vₖ / ‖WᵀW vₖ‖, σ = ‖W vₖ‖. Runs in float64 from a fixed start
 * (the RNG is not touched). WᵀW is symmetric positive semidefinite, so its top eigenvalue σ²_max
 * is real and dominant and the iteration converges (at rate (σ₂/σ₁)²) where power iteration on
 * W itself need not.
 *
 * @example
 * spectralNorm(eye(4).mul(3)); // 3
 */
export function spectralNorm(W: Tensor, options?: SpectralNormOptions): number {
  const op = 'spectralNorm';
  const o = options === undefined ? {} : checkOptions(op, options, ['tolerance', 'maxIterations']);
  const tolerance = o.tolerance ?? TOLERANCE;
  const maxIterations = o.maxIterations ?? MAX_ITERATIONS;
  if (typeof tolerance !== 'number' || !(tolerance > 0)) throw fail('E_ARGUMENT', `${op}: tolerance must be a positive number, got ${describe(tolerance)}`);
  if (!Number.isSafeInteger(maxIterations) || (maxIterations as number) < 1) {
    throw fail('E_ARGUMENT', `${op}: maxIterations must be a positive integer, got ${describe(maxIterations)}`);
  }
  const { values, rows, cols } = matrixOf(op, W);
  return largestSingularValue(values, rows, cols, tolerance, maxIterations as number);
}

/**
 * ρ(W) = max |λᵢ|, the spectral radius of a square matrix W [n, n]: the rate at which Wᵗ grows
 * or shrinks, so for an Elman RNN near its linear regime ‖∂hₜ/∂h₀‖ ~ ρ(W_hh)ᵗ (ρ < 1 vanishes,
 * ρ > 1 can explode; Pascanu et al. 2013). Exact up to rounding: every eigenvalue from the
 * Hessenberg form by Francis double-shift QR in float64 (diagnostics/eigenvalues.ts), because
 * power iteration never settles on a complex-conjugate pair — the typical top eigenvalues of a
 * recurrent matrix. O(n³): n ≤ 2048 (`MAX_SPECTRAL_SIZE`).
 *
 * @example
 * spectralRadius(tensor([0, -2, 2, 0], [2, 2])); // 2 (eigenvalues ±2i: power iteration oscillates)
 */
export function spectralRadius(W: Tensor): number {
  const { values, n } = squareOf('spectralRadius', W);
  return radiusOf(values, n);
}

/**
 * Every eigenvalue λᵢ = re[i] + i·im[i] of a square matrix W [n, n] (n ≤ 2048), in float64, by the
 * routine `spectralRadius` uses (a complex-conjugate pair comes as two adjacent entries). For plots
 * of W_hh's spectrum against the unit circle.
 *
 * @example
 * eigenvalues(tensor([0, -2, 2, 0], [2, 2])); // { re: [0, 0], im: [2, -2] }
 */
export function eigenvalues(W: Tensor): Eigenvalues {
  const { values, n } = squareOf('eigenvalues', W);
  return denseEigenvalues(values, n);
}

/** W's values when it is square and small enough for the dense routine. */
function squareOf(op: string, W: unknown): { values: Float64Array; n: number } {
  const { values, rows, cols } = matrixOf(op, W);
  if (rows !== cols) throw fail('E_SHAPE', `${op}: W must be square [n, n], got [${rows}, ${cols}]`);
  if (rows > MAX_SPECTRAL_SIZE) throw fail('E_SHAPE', `${op}: W must be at most ${MAX_SPECTRAL_SIZE}×${MAX_SPECTRAL_SIZE} (a dense O(n³) routine), got [${rows}, ${cols}]`);
  return { values, n: rows };
}

/** The spectra of one gate block of W_hh: rows [g·H, (g + 1)·H). */
export interface GateSpectrum {
  /** The gate: LSTM i, f, g, o (f, g, o with coupledInputForget); GRU r, z, n. */
  gate: string;
  /** σ_max of the block. */
  norm: number;
  /** ρ of the block, or null when it is not square (an LSTM with projSize). */
  radius: number | null;
}

/** The spectra of W_hh of one layer and direction. */
export interface LayerSpectrum extends LayerKey {
  /** σ_max of the whole W_hh [G·H, Hout]. */
  norm: number;
  /** ρ(W_hh) of an Elman RNN (W_hh is square); null for gated cells, whose blocks have their own. */
  radius: number | null;
  /** Per gate block (empty for an Elman RNN, whose W_hh is one block). */
  gates: GateSpectrum[];
}

/**
 * σ_max and ρ of W_hh for every layer and direction of a recurrent model (`LanguageModel`, `RNN`,
 * `LSTM`, `GRU`), and of each gate block of a gated cell (W_hi, W_hf, W_hg, W_ho of an LSTM; W_hr,
 * W_hz, W_hn of a GRU). Reads the weights only.
 *
 * @example
 * const [l0] = recurrentSpectra(new RNN({ inputSize: 4, hiddenSize: 32, init: 'orthogonal' }));
 * l0.radius; // 1 (an orthogonal W_hh)
 */
export function recurrentSpectra(model: DiagnosedModel): LayerSpectrum[] {
  const op = 'recurrentSpectra';
  const rnn = recurrentOf(op, model);
  const names = rnn instanceof LSTM ? (rnn.coupledInputForget ? ['f', 'g', 'o'] : ['i', 'f', 'g', 'o']) : rnn instanceof GRU ? ['r', 'z', 'n'] : [];
  const params = Object.fromEntries(rnn.namedParameters());
  return layerKeys(rnn).map((key) => {
    const { values, rows, cols } = matrixOf(op, params[`weight_hh_${key.name}`]);
    const norm = largestSingularValue(values, rows, cols, TOLERANCE, MAX_ITERATIONS);
    const H = rows / Math.max(names.length, 1);
    const gates = names.map((gate, g) => {
      const block = values.subarray(g * H * cols, (g + 1) * H * cols);
      return { gate, norm: largestSingularValue(block, H, cols, TOLERANCE, MAX_ITERATIONS), radius: H === cols ? radiusOf(block, H) : null };
    });
    return { ...key, norm, radius: names.length === 0 && rows === cols ? radiusOf(values, rows) : null, gates };
  });
}

function radiusOf(values: Float64Array, n: number): number {
  const { re, im } = denseEigenvalues(values, n);
  let rho = 0;
  for (let i = 0; i < n; i++) rho = Math.max(rho, Math.hypot(re[i], im[i]));
  return rho;
}

function matrixOf(op: string, W: unknown): { values: Float64Array; rows: number; cols: number } {
  if (!(W instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: W must be a Tensor [n, m], got ${describe(W)}`);
  W.check(op);
  if (W.dtype !== 'float32' || W.shape.length !== 2 || W.size === 0) {
    throw fail('E_SHAPE', `${op}: W must be a non-empty float32 matrix [n, m], got ${W.dtype} [${W.shape.join(', ')}]`);
  }
  const values = Float64Array.from(W.toFloat32Array());
  if (!values.every(Number.isFinite)) throw fail('E_ARGUMENT', `${op}: W must be finite, got a NaN or infinite entry`);
  return { values, rows: W.shape[0], cols: W.shape[1] };
}

/** Power iteration on WᵀW for W [rows, cols] row-major. */
function largestSingularValue(W: Float64Array, rows: number, cols: number, tolerance: number, maxIterations: number): number {
  // A fixed start with no symmetry (the fractional parts of i·φ), so no sign pattern of a
  // structured W is orthogonal to it by accident, and the RNG stays untouched.
  let v: Float64Array = Float64Array.from({ length: cols }, (_, i) => 0.5 + ((i * 0.6180339887498949) % 1));
  scaleToUnit(v);
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < maxIterations; it++) {
    // u = W v, then v' = Wᵀ u; σ = ‖W v‖ for the unit v.
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += W[i * cols + j] * v[j];
      u[i] = s;
    }
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const ui = u[i];
      for (let j = 0; j < cols; j++) next[j] += W[i * cols + j] * ui;
    }
    const estimate = Math.sqrt(dot(u, u));
    const n = scaleToUnit(next);
    const converged = Math.abs(estimate - sigma) <= tolerance * estimate;
    sigma = estimate;
    if (n === 0 || converged) break;
    v = next;
  }
  return sigma;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function scaleToUnit(v: Float64Array): number {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return n;
}
