import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@eddy/autograd';
import { expect } from 'vitest';
import { loadSafetensors } from '../safetensors.js';

// Reading the PyTorch fixtures of the step-wise modules (fixtures/steps, written by
// scripts/make_step_fixtures.py) and of seq2seq (fixtures/seq2seq, make_seq2seq_fixtures.py), and
// comparing against them.

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** fixtures/<dir>/index.json. */
export function stepIndex<T>(dir = 'steps'): T {
  return JSON.parse(readFileSync(join(FIXTURES, dir, 'index.json'), 'utf8')) as T;
}

/** One fixture file's tensors (in fixtures/<dir>), with `get(name)` failing the test when a name is absent. */
export function stepFixture(file: string, dir = 'steps'): { dict: Record<string, Tensor>; get: (name: string) => Tensor } {
  const dict = loadSafetensors(readFileSync(join(FIXTURES, dir, file)));
  const get = (name: string): Tensor => {
    expect(dict[name], `fixture ${file} lacks ${name}`).toBeInstanceOf(Tensor);
    return dict[name];
  };
  return { dict, get };
}

/** Largest |a − b| / (1 + |b|) over the elements (abs + rel with atol = rtol). */
export function relativeError(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.toArray();
  const y = b.toArray();
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i]));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/** Expects a ≈ b within `tol` (relativeError) and returns the error, for the summary. */
export function expectClose(what: string, a: Tensor | null | undefined, b: Tensor, tol: number): number {
  expect(a, `${what} is missing`).toBeInstanceOf(Tensor);
  const err = relativeError(a!, b);
  expect(err, `${what}: error ${err}`).toBeLessThanOrEqual(tol);
  return err;
}
