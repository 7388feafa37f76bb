import { checkOptions, fail, optionKeys } from './backend.js';
import { drawsInitialValues } from './initial-draws.js';
import { defaultGenerator, type Generator } from './rng.js';
import type { Tensor } from './tensor.js';

// Parameter initialisers with torch.nn.init's names in camelCase. Each fills a float32 tensor in
// place (no tape: initialisation is not part of the graph), draws from the seeded RNG (the default
// generator unless one is given) and returns the tensor. Values are computed in float64 and
// rounded once to float32.

/** Nonlinearities `calculateGain` knows (torch.nn.init.calculate_gain's list, camelCase). */
export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/** Which fan Kaiming initialisation preserves: 'fanIn' keeps forward variance, 'fanOut' backward. */
export type FanMode = 'fanIn' | 'fanOut';

function target(op: string, t: Tensor): Tensor {
  if (t === null || typeof t !== 'object' || typeof t.check !== 'function') throw fail('E_ARGUMENT', `${op}: expected a Tensor`);
  t.check(op);
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: expected a float32 tensor, got ${t.dtype}`);
  return t;
}

function finite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw fail('E_ARGUMENT', `${op}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}

/** Copies float64 values into the tensor's storage (rounding each once to float32). */
function write(t: Tensor, values: ArrayLike<number>): Tensor {
  t.core.arena.f32.set(values, t.ptr >>> 2);
  return t;
}

/** Fills with U(a, b): a + (b − a)·u with the generator's 24-bit uniforms u ∈ [0, 1). */
export function uniform(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  const op = 'init.uniform';
  target(op, t);
  finite(op, 'a', a);
  finite(op, 'b', b);
  if (!(a <= b)) throw fail('E_ARGUMENT', `${op}: need a <= b, got a ${a}, b ${b}`);
  if (!drawsInitialValues()) return t;
  const out = new Float64Array(t.size);
  for (let i = 0; i < out.length; i++) out[i] = a + (b - a) * generator.nextUniform();
  return write(t, out);
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  const op = 'init.normal';
  target(op, t);
  finite(op, 'mean', mean);
  if (finite(op, 'std', std) < 0) throw fail('E_ARGUMENT', `${op}: std must be >= 0, got ${std}`);
  if (!drawsInitialValues()) return t;
  const out = new Float64Array(t.size);
  for (let i = 0; i < out.length; i++) out[i] = mean + std * generator.nextNormal();
  return write(t, out);
}

/** Fills with `value`. */
export function constant(t: Tensor, value: number): Tensor {
  const op = 'init.constant';
  target(op, t);
  finite(op, 'value', value);
  t.core.arena.f32.fill(value, t.ptr >>> 2, (t.ptr >>> 2) + t.size);
  return t;
}

/** Fills with zeros. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills with ones. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * Fills a 2-D tensor with the identity (ones on the main diagonal, zeros elsewhere; rectangular
 * allowed), times `gain`: the recurrent weight of an IRNN (Le, Jaitly & Hinton 2015).
 */
export function eye(t: Tensor, gain = 1): Tensor {
  const op = 'init.eye';
  target(op, t);
  finite(op, 'gain', gain);
  if (t.shape.length !== 2) throw fail('E_SHAPE', `${op}: expected a 2-D tensor, got shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.shape;
  const out = new Float64Array(t.size);
  for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = gain;
  return write(t, out);
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear, identity and
 * sigmoid 1; tanh 5/3; relu √2; leakyRelu √(2 / (1 + a²)) with negative slope a (default 0.01);
 * selu 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param === undefined ? 0.01 : finite('calculateGain', 'param', param);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw fail('E_ARGUMENT', `calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}; expected linear, identity, sigmoid, tanh, relu, leakyRelu or selu`);
  }
}

/**
 * (fanIn, fanOut) of a weight shaped [out, in, …] (PyTorch's layout, also Eddy's W_ih [4H, I]):
 * fanIn = in · r, fanOut = out · r with r the product of the remaining (receptive-field) dims.
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.shape.length < 2) {
    throw fail('E_SHAPE', `calculateFanInAndFanOut: fan in and fan out need a tensor with at least 2 dimensions, got shape [${t.shape.join(', ')}]`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/**
 * Xavier/Glorot uniform (Glorot & Bengio 2010): U(−a, a) with a = gain · √(6 / (fanIn + fanOut)),
 * i.e. std = gain · √(2 / (fanIn + fanOut)).
 */
export function xavierUniform(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  target('init.xavierUniform', t);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = finite('init.xavierUniform', 'gain', gain) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, generator);
}

/** Xavier/Glorot normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  target('init.xavierNormal', t);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal(t, 0, finite('init.xavierNormal', 'gain', gain) * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions {
  /** Negative slope of a leaky ReLU (only used with nonlinearity leakyRelu), default 0. */
  a?: number;
  /** Default 'fanIn'. */
  mode?: FanMode;
  /** Default 'leakyRelu' (with a = 0 its gain is √2, ReLU's), as PyTorch. */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

const KAIMING_OPTIONS = optionKeys<KaimingOptions>({ a: true, mode: true, nonlinearity: true, generator: true });

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  checkOptions(op, options, KAIMING_OPTIONS);
  target(op, t);
  const mode = options.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw fail('E_ARGUMENT', `${op}: mode must be "fanIn" or "fanOut", got ${JSON.stringify(mode)}`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) return 0; // PyTorch warns and leaves a zero-element tensor alone
  return calculateGain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0) / Math.sqrt(fan);
}

/**
 * Kaiming/He uniform (He et al. 2015): U(−b, b) with b = gain · √(3 / fan), so std = gain / √fan,
 * fan = fanIn (default) or fanOut.
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('init.kaimingUniform', t, options);
  return uniform(t, -bound, bound, options.generator ?? defaultGenerator);
}

/** Kaiming/He normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd('init.kaimingNormal', t, options), options.generator ?? defaultGenerator);
}

/**
 * Householder QR of a row-major m×n matrix A (m ≥ n) in float64: returns the
 * thin Q (m×n, row-major) and the diagonal of R. Q = H₁H₂…Hₙ applied to the first n columns of I.
 */
function householderQR(a: Float64Array, m: number, n: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // v = x + sign(x₀)‖x‖e₀ for x = R[j:, j]; H = I − 2vvᵀ/(vᵀv) zeroes x below its first entry.
    let norm = 0;
    for (let i = j; i < m; i++) norm += r[i * n + j] * r[i * n + j];
    norm = Math.sqrt(norm);
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = r[i * n + j];
    const alpha = v[0] >= 0 ? -norm : norm; // NOTE: opposite sign to x₀ avoids cancellation
    v[0] -= alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv > 0) {
      for (let c = j; c < n; c++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += v[i - j] * r[i * n + c];
        const f = (2 * dot) / vv;
        for (let i = j; i < m; i++) r[i * n + c] -= f * v[i - j];
      }
    }
    rDiag[j] = r[j * n + j];
    vs.push(vv > 0 ? v.map((x) => x / Math.sqrt(vv)) : v);
  }
  // Q = H₀…H_{n−1} E, with E the first n columns of I: apply the reflections in reverse.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const v = vs[j]; // unit vector (or zero)
    for (let c = 0; c < n; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j] * q[i * n + c];
      for (let i = j; i < m; i++) q[i * n + c] -= 2 * dot * v[i - j];
    }
  }
  return { q, rDiag };
}

/**
 * A (semi-)orthogonal matrix (Saxe et al. 2014; torch.nn.init.orthogonal_): the tensor is viewed
 * as rows = shape[0] by cols = size / rows; A ~ N(0, 1) of that shape (transposed if rows < cols)
 * is factored A = QR, Q's columns are multiplied by sign(diag R) so the result is unique (uniformly
 * distributed over the orthogonal group), and the tensor becomes gain · Q (transposed back). So
 * QᵀQ = I when rows ≥ cols, QQᵀ = I otherwise.
 */
export function orthogonal(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const op = 'init.orthogonal';
  target(op, t);
  finite(op, 'gain', gain);
  if (t.shape.length < 2) throw fail('E_SHAPE', `${op}: only tensors with 2 or more dimensions are supported, got shape [${t.shape.join(', ')}]`);
  if (t.size === 0 || !drawsInitialValues()) return t;
  const rows = t.shape[0];
  const cols = t.size / rows;
  // Draw in the tensor's own row-major order (as PyTorch does), then transpose if wide.
  const flat = new Float64Array(t.size);
  for (let i = 0; i < flat.length; i++) flat[i] = generator.nextNormal();
  const wide = rows < cols;
  const [m, n] = wide ? [cols, rows] : [rows, cols];
  const a = wide ? transpose(flat, rows, cols) : flat;
  const { q, rDiag } = householderQR(a, m, n);
  for (let c = 0; c < n; c++) {
    const s = Math.sign(rDiag[c]) * gain;
    for (let i = 0; i < m; i++) q[i * n + c] *= s;
  }
  return write(t, wide ? transpose(q, m, n) : q);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}
