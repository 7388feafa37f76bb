#!/usr/bin/python3
"""Golden spectra for @eddy/models' spectralNorm and spectralRadius (src/diagnostics/spectra.test.ts).

    /usr/bin/python3 packages/models/scripts/make_spectra_fixture.py

Writes fixtures/spectra/cases.json: for each case a matrix W (row-major, values rounded to float32
so Eddy reads exactly the matrix numpy saw), its largest singular value (numpy.linalg.svd) and its
spectral radius (max |numpy.linalg.eigvals|, LAPACK's dgeev), both in float64. The cases are the
shapes recurrent weights take and the ones power iteration gets wrong: random Gaussian W_hh of a few
sizes, an orthogonal matrix (every eigenvalue on the unit circle, complex pairs), a rotation whose
top eigenvalues are one complex pair, a nearly defective (Jordan-like) block, and non-square gate
stacks for the norm. Deterministic (numpy's seeded generator); numpy only, no torch.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'fixtures', 'spectra', 'cases.json')


def f32(m):
    return np.asarray(m, dtype=np.float32).astype(np.float64)


def case(name, w):
    w = f32(w)
    sigma = float(np.linalg.svd(w, compute_uv=False)[0])
    radius = float(np.max(np.abs(np.linalg.eigvals(w)))) if w.shape[0] == w.shape[1] else None
    # The shortest decimal that rounds back to the same float32 (Eddy stores float32).
    values = [float(repr(np.float32(v)).removeprefix('np.float32(').removesuffix(')')) for v in w.ravel()]
    return {'name': name, 'shape': list(w.shape), 'values': values, 'norm': sigma, 'radius': radius}


def main():
    rng = np.random.default_rng(17)
    cases = []
    for n in (1, 2, 5, 16, 64):
        cases.append(case(f'gaussian {n}x{n} / sqrt(n)', rng.standard_normal((n, n)) / np.sqrt(n)))
    # U(-1/sqrt(H), 1/sqrt(H)): PyTorch's default init of W_hh.
    cases.append(case('uniform init 48x48', rng.uniform(-1, 1, (48, 48)) / np.sqrt(48)))
    q, r = np.linalg.qr(rng.standard_normal((32, 32)))
    cases.append(case('orthogonal 32x32', q * np.sign(np.diag(r))))
    # Block diagonal: one 2x2 rotation scaled by 1.3 (a complex pair of modulus 1.3), the rest
    # real eigenvalues below it, then a similarity so the structure is hidden.
    d = np.diag(np.linspace(-1.1, 1.2, 12))
    th = 0.9
    d[:2, :2] = 1.3 * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    s = rng.standard_normal((12, 12)) + 4 * np.eye(12)
    cases.append(case('top complex pair 12x12', s @ d @ np.linalg.inv(s)))
    cases.append(case('near-Jordan 6x6', np.eye(6) * 0.8 + np.diag(np.ones(5), 1) + 1e-6 * rng.standard_normal((6, 6))))
    cases.append(case('LSTM gate stack 4Hx H (H = 8)', rng.uniform(-1, 1, (32, 8)) / np.sqrt(8)))
    cases.append(case('wide 5x12', rng.standard_normal((5, 12))))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/make_spectra_fixture.py', 'numpy': np.__version__, 'cases': cases}, f)
    print(f'wrote {len(cases)} cases to {OUT}')


if __name__ == '__main__':
    main()
