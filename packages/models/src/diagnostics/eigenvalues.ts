import { fail } from '../errors.js';

// The eigenvalues of a small dense real matrix, for the spectral radius of W_hh. Power iteration is
// not enough there: a real matrix has complex-conjugate pairs of equal modulus (a rotation-like
// W_hh, common after orthogonal init or training), and then the iterate never settles. The classic
// route is exact instead: balance, reduce to upper Hessenberg form, and run the Francis
// double-shift QR iteration, which deflates real roots and complex pairs alike (EISPACK's balanc,
// elmhes and hqr; Press et al., Numerical Recipes, 2nd ed., §11.5–11.6). O(n³) time, n² memory:
// about 0.15 s at n = 256, 1 s at 512, 6 s at 1024.
//
// NOTE: the routines keep Numerical Recipes' 1-based indexing (a[i][j] at i·(n+1) + j) so they can
// be read against the book line by line; row and column 0 are unused.

/** The eigenvalues λ = re + i·im of a real n×n matrix. */
export interface Eigenvalues {
  re: Float64Array;
  im: Float64Array;
}

/** The eigenvalues of the row-major n×n matrix `values` (in float64; `values` is not changed). */
export function denseEigenvalues(values: ArrayLike<number>, n: number): Eigenvalues {
  const N = n + 1;
  const a = new Float64Array(N * N);
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) a[i * N + j] = values[(i - 1) * n + (j - 1)];
  balance(a, n);
  hessenberg(a, n);
  return hessenbergQr(a, n);
}

/** Scales rows and columns by powers of 2 so their norms are comparable (exact: no rounding). */
function balance(a: Float64Array, n: number): void {
  const N = n + 1;
  const RADIX = 2;
  const sqrdx = RADIX * RADIX;
  let done = false;
  while (!done) {
    done = true;
    for (let i = 1; i <= n; i++) {
      let r = 0;
      let c = 0;
      for (let j = 1; j <= n; j++) {
        if (j === i) continue;
        c += Math.abs(a[j * N + i]);
        r += Math.abs(a[i * N + j]);
      }
      if (c === 0 || r === 0) continue;
      let g = r / RADIX;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= RADIX;
        c *= sqrdx;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= sqrdx;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        g = 1 / f;
        for (let j = 1; j <= n; j++) a[i * N + j] *= g;
        for (let j = 1; j <= n; j++) a[j * N + i] *= f;
      }
    }
  }
}

/** Reduces to upper Hessenberg form by stabilised elementary similarity transforms (elmhes). */
function hessenberg(a: Float64Array, n: number): void {
  const N = n + 1;
  for (let m = 2; m < n; m++) {
    let x = 0;
    let i = m;
    for (let j = m; j <= n; j++) {
      if (Math.abs(a[j * N + m - 1]) > Math.abs(x)) {
        x = a[j * N + m - 1];
        i = j;
      }
    }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) swap(a, i * N + j, m * N + j);
      for (let j = 1; j <= n; j++) swap(a, j * N + i, j * N + m);
    }
    if (x === 0) continue;
    // A = L⁻¹ A L with L = I + Σᵢ yᵢ eᵢ e_mᵀ: all the row operations, then all the column ones
    // (left and right products commute), so the column sums run along rows, not down columns —
    // several times faster than elmhes' interleaved order once n is in the hundreds.
    for (i = m + 1; i <= n; i++) {
      const y = a[i * N + m - 1] / x;
      a[i * N + m - 1] = y;
      if (y !== 0) for (let j = m; j <= n; j++) a[i * N + j] -= y * a[m * N + j];
    }
    for (let j = 1; j <= n; j++) {
      let sum = 0;
      for (i = m + 1; i <= n; i++) sum += a[i * N + m - 1] * a[j * N + i];
      a[j * N + m] += sum;
    }
  }
}

function swap(a: Float64Array, p: number, q: number): void {
  const t = a[p];
  a[p] = a[q];
  a[q] = t;
}

/** The eigenvalues of an upper Hessenberg matrix by the Francis double-shift QR iteration (hqr). */
function hessenbergQr(a: Float64Array, n: number): Eigenvalues {
  const N = n + 1;
  const wr = new Float64Array(N);
  const wi = new Float64Array(N);
  const pqr = new Float64Array(3);
  let anorm = 0;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i * N + j]);
  let nn = n;
  let t = 0;
  // EISPACK's budget: 30 iterations per eigenvalue on average, with exceptional shifts every tenth.
  let budget = 30 * Math.max(n, 1);
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      l = splitPoint(a, N, nn, anorm);
      let x = a[nn * N + nn];
      if (l === nn) {
        // One real root.
        wr[nn] = x + t;
        wi[nn--] = 0;
        continue;
      }
      let y = a[(nn - 1) * N + nn - 1];
      let w = a[nn * N + nn - 1] * a[(nn - 1) * N + nn];
      if (l === nn - 1) {
        // Two roots: a real pair or a complex-conjugate pair.
        const p = 0.5 * (y - x);
        const q = p * p + w;
        let z = Math.sqrt(Math.abs(q));
        x += t;
        if (q >= 0) {
          z = p + (p >= 0 ? z : -z);
          wr[nn - 1] = wr[nn] = x + z;
          if (z !== 0) wr[nn] = x - w / z;
          wi[nn - 1] = wi[nn] = 0;
        } else {
          wr[nn - 1] = wr[nn] = x + p;
          wi[nn - 1] = -(wi[nn] = z);
        }
        nn -= 2;
        continue;
      }
      if (budget-- === 0) throw fail('E_ARGUMENT', `spectralRadius: the QR iteration did not converge for this ${n}×${n} matrix`);
      if (its === 10 || its === 20) {
        // Exceptional shift.
        t += x;
        for (let i = 1; i <= nn; i++) a[i * N + i] -= x;
        const s = Math.abs(a[nn * N + nn - 1]) + Math.abs(a[(nn - 1) * N + nn - 2]);
        y = x = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (its === 30) its = 0;
      ++its;
      const m = shiftStart(a, N, l, nn, x, y, w, pqr);
      doubleShiftSweep(a, N, l, m, nn, pqr);
    } while (l < nn - 1);
  }
  return { re: wr.slice(1), im: wi.slice(1) };
}

// NOTE: the steps of the iteration are small functions of their own: V8 optimises a function that
// is called often, while one long function with the loops inline ran about ten times slower.

/** The largest l ≤ nn with a negligible subdiagonal a[l][l−1] (set to 0), or 1: rows l … nn are a block. */
function splitPoint(a: Float64Array, N: number, nn: number, anorm: number): number {
  let l = nn;
  for (; l >= 2; l--) {
    let s = Math.abs(a[(l - 1) * N + l - 1]) + Math.abs(a[l * N + l]);
    if (s === 0) s = anorm;
    if (Math.abs(a[l * N + l - 1]) + s === s) {
      a[l * N + l - 1] = 0;
      return l;
    }
  }
  return l;
}

/**
 * Looks for two consecutive small subdiagonal elements from nn − 2 down to l and forms the first
 * column (p, q, r) of the double-shifted matrix there (into `pqr`); returns that row m.
 */
function shiftStart(a: Float64Array, N: number, l: number, nn: number, x: number, y: number, w: number, pqr: Float64Array): number {
  let m = nn - 2;
  for (; m >= l; m--) {
    const z = a[m * N + m];
    let r = x - z;
    let s = y - z;
    let p = (r * s - w) / a[(m + 1) * N + m] + a[m * N + m + 1];
    let q = a[(m + 1) * N + m + 1] - z - r - s;
    r = a[(m + 2) * N + m + 1];
    s = Math.abs(p) + Math.abs(q) + Math.abs(r);
    p /= s;
    q /= s;
    r /= s;
    pqr[0] = p;
    pqr[1] = q;
    pqr[2] = r;
    if (m === l) break;
    const u = Math.abs(a[m * N + m - 1]) * (Math.abs(q) + Math.abs(r));
    const v = Math.abs(p) * (Math.abs(a[(m - 1) * N + m - 1]) + Math.abs(z) + Math.abs(a[(m + 1) * N + m + 1]));
    if (u + v === v) break;
  }
  return m;
}

/** One double QR step on rows l … nn from row m, by Householder reflections of size 3 (the bulge chase). */
function doubleShiftSweep(a: Float64Array, N: number, l: number, m: number, nn: number, pqr: Float64Array): void {
  for (let i = m + 2; i <= nn; i++) {
    a[i * N + i - 2] = 0;
    if (i !== m + 2) a[i * N + i - 3] = 0;
  }
  let [p, q, r] = pqr;
  let x = 0;
  for (let k = m; k <= nn - 1; k++) {
    if (k !== m) {
      p = a[k * N + k - 1];
      q = a[(k + 1) * N + k - 1];
      r = k !== nn - 1 ? a[(k + 2) * N + k - 1] : 0;
      x = Math.abs(p) + Math.abs(q) + Math.abs(r);
      if (x !== 0) {
        p /= x;
        q /= x;
        r /= x;
      }
    }
    const norm = Math.sqrt(p * p + q * q + r * r);
    const s = p >= 0 ? norm : -norm;
    if (s === 0) continue;
    if (k === m) {
      if (l !== m) a[k * N + k - 1] = -a[k * N + k - 1];
    } else {
      a[k * N + k - 1] = -s * x;
    }
    p += s;
    x = p / s;
    const y = q / s;
    const z = r / s;
    q /= p;
    r /= p;
    const last = k !== nn - 1;
    for (let j = k; j <= nn; j++) {
      let h = a[k * N + j] + q * a[(k + 1) * N + j];
      if (last) {
        h += r * a[(k + 2) * N + j];
        a[(k + 2) * N + j] -= h * z;
      }
      a[(k + 1) * N + j] -= h * y;
      a[k * N + j] -= h * x;
    }
    const mmin = nn < k + 3 ? nn : k + 3;
    for (let i = l; i <= mmin; i++) {
      let h = x * a[i * N + k] + y * a[i * N + k + 1];
      if (last) {
        h += z * a[i * N + k + 2];
        a[i * N + k + 2] -= h * r;
      }
      a[i * N + k + 1] -= h * q;
      a[i * N + k] -= h;
    }
  }
}
