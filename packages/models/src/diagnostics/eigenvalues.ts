import { fail } from '../errors.js';

// The eigenvalues of a small dense real matrix, for the spectral radius of W_hh. Power iteration is
// not enough there: a real matrix has complex-conjugate pairs of equal modulus (a rotation-like
// W_hh, common after orthogonal init or training), and then the iterate never settles. The classic
// route is exact instead: balance, reduce to upper Hessenberg form, and run the Francis
// double-shift QR iteration, which deflates real roots and complex pairs alike (EISPACK's balanc,
// elmhes and hqr; Press et al., Numerical Recipes, 2nd ed., §11.5–11.6). O(n³) time, n² memory:
// about a tenth of a second at n = 256.
//
// NOTE: the routines keep Numerical Recipes' 1-based indexing (a[i][j] at i·(n+1) + j) so they can
// be read against the book line by line; row and column 0 are unused.

/** The eigenvalues λ = re + i·im of a real n×n matrix. */
export interface Eigenvalues {
  re: Float64Array;
  im: Float64Array;
}

/** The eigenvalues of the row-major n×n matrix `values` (in float64; `values` is not changed). */
export function eigenvalues(values: ArrayLike<number>, n: number): Eigenvalues {
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
    for (i = m + 1; i <= n; i++) {
      let y = a[i * N + m - 1];
      if (y === 0) continue;
      y /= x;
      a[i * N + m - 1] = y;
      for (let j = m; j <= n; j++) a[i * N + j] -= y * a[m * N + j];
      for (let j = 1; j <= n; j++) a[j * N + m] += y * a[j * N + i];
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
  const at = (i: number, j: number): number => a[i * N + j];
  const wr = new Float64Array(N);
  const wi = new Float64Array(N);
  let anorm = 0;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(at(i, j));
  let nn = n;
  let t = 0;
  // EISPACK's budget: 30 iterations per eigenvalue on average, with exceptional shifts every tenth.
  let budget = 30 * Math.max(n, 1);
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      // Look for a single small subdiagonal element to split the matrix.
      for (l = nn; l >= 2; l--) {
        s = Math.abs(at(l - 1, l - 1)) + Math.abs(at(l, l));
        if (s === 0) s = anorm;
        if (Math.abs(at(l, l - 1)) + s === s) {
          a[l * N + l - 1] = 0;
          break;
        }
      }
      x = at(nn, nn);
      if (l === nn) {
        // One real root.
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = at(nn - 1, nn - 1);
        w = at(nn, nn - 1) * at(nn - 1, nn);
        if (l === nn - 1) {
          // Two roots: a real pair or a complex-conjugate pair.
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? Math.abs(z) : -Math.abs(z));
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -(wi[nn] = z);
          }
          nn -= 2;
        } else {
          if (budget-- === 0) throw fail('E_ARGUMENT', `spectralRadius: the QR iteration did not converge for this ${n}×${n} matrix`);
          if (its === 10 || its === 20) {
            // Exceptional shift.
            t += x;
            for (let i = 1; i <= nn; i++) a[i * N + i] -= x;
            s = Math.abs(at(nn, nn - 1)) + Math.abs(at(nn - 1, nn - 2));
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          if (its === 30) its = 0;
          ++its;
          // Form the shift and look for two consecutive small subdiagonal elements.
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = at(m, m);
            r = x - z;
            s = y - z;
            p = (r * s - w) / at(m + 1, m) + at(m, m + 1);
            q = at(m + 1, m + 1) - z - r - s;
            r = at(m + 2, m + 1);
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(at(m, m - 1)) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(at(m - 1, m - 1)) + Math.abs(z) + Math.abs(at(m + 1, m + 1)));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i * N + i - 2] = 0;
            if (i !== m + 2) a[i * N + i - 3] = 0;
          }
          // The double QR step on rows l … nn and columns m … nn.
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = at(k, k - 1);
              q = at(k + 1, k - 1);
              r = k !== nn - 1 ? at(k + 2, k - 1) : 0;
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const norm = Math.sqrt(p * p + q * q + r * r);
            s = p >= 0 ? norm : -norm;
            if (s === 0) continue;
            if (k === m) {
              if (l !== m) a[k * N + k - 1] = -at(k, k - 1);
            } else {
              a[k * N + k - 1] = -s * x;
            }
            p += s;
            x = p / s;
            y = q / s;
            z = r / s;
            q /= p;
            r /= p;
            for (let j = k; j <= nn; j++) {
              p = at(k, j) + q * at(k + 1, j);
              if (k !== nn - 1) {
                p += r * at(k + 2, j);
                a[(k + 2) * N + j] -= p * z;
              }
              a[(k + 1) * N + j] -= p * y;
              a[k * N + j] -= p * x;
            }
            const mmin = nn < k + 3 ? nn : k + 3;
            for (let i = l; i <= mmin; i++) {
              p = x * at(i, k) + y * at(i, k + 1);
              if (k !== nn - 1) {
                p += z * at(i, k + 2);
                a[i * N + k + 2] -= p * r;
              }
              a[i * N + k + 1] -= p * q;
              a[i * N + k] -= p;
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr.slice(1), im: wi.slice(1) };
}
