// Adagrad as the RNTN papers train with it, against torch.optim.Adagrad (fixtures/adagrad-corenlp.json,
// made by scripts/make_adagrad_fixture.py): two parameter groups with their own lr and weight decay
// (the script checks that weight decay equals the L2 term (λ/2)‖θ‖² written into the loss, for
// torch.optim.SGD too), and CoreNLP's reset of the accumulators at the start of every epoch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCore } from '../backend.js';
import { tensor } from '../creation.js';
import { Tensor } from '../tensor.js';
import { Adagrad } from './adagrad.js';
import type { Optimizer, ParamGroupOptions } from './optimizer.js';
import { SGD } from './sgd.js';

interface Fixture {
  a0: number[];
  b0: number[];
  lr: number;
  groups: Array<{ lr: number; weight_decay: number }>;
  initialAccumulatorValue: number;
  stepsPerEpoch: number;
  epochs: number;
  reset: Array<{ a: number[]; b: number[] }>;
  noReset: Array<{ a: number[]; b: number[] }>;
  sgd: Array<{ a: number[]; b: number[] }>;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/adagrad-corenlp.json', import.meta.url), 'utf8')) as Fixture;
const core = getCore();

/** The script's gradient sequence. */
const gradAt = (t: number, n: number, shift: number) => Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.7 * t + shift) * (0.5 + i / n));

function setGrad(p: Tensor, g: number[]): void {
  p.grad ??= new Tensor(core, core.arena.allocBeside(p.ptr, p.size * 4), p.shape);
  core.arena.f32.set(g, p.grad.ptr >>> 2);
}

function expectClose(got: Float32Array, want: number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6 + 2e-5 * Math.abs(want[i]));
}

/** Steps the optimizer `make` builds over the script's two groups, resetting Adagrad's sums each epoch with `reset`. */
function run(want: Fixture['reset'], make: (groups: ParamGroupOptions[]) => Optimizer, reset = false): void {
  const a = tensor(fixture.a0, [fixture.a0.length], { requiresGrad: true });
  const b = tensor(fixture.b0, [fixture.b0.length], { requiresGrad: true });
  const [ga, gb] = fixture.groups;
  const opt = make([{ params: [a], lr: ga.lr, weightDecay: ga.weight_decay }, { params: [b], lr: gb.lr, weightDecay: gb.weight_decay }]);
  let t = 0;
  for (let epoch = 0; epoch < fixture.epochs; epoch++) {
    if (reset && epoch > 0) (opt as Adagrad).resetAccumulators();
    for (let k = 0; k < fixture.stepsPerEpoch; k++) {
      t++;
      setGrad(a, gradAt(t, a.size, 0));
      setGrad(b, gradAt(t, b.size, 0.4));
      opt.step();
      expectClose(a.toFloat32Array(), want[t - 1].a);
      expectClose(b.toFloat32Array(), want[t - 1].b);
    }
  }
}

const adagrad = (groups: ParamGroupOptions[]) => new Adagrad(groups, { lr: fixture.lr, initialAccumulatorValue: fixture.initialAccumulatorValue });

describe('Adagrad as CoreNLP trains with it (PyTorch goldens)', () => {
  it('per-group lr and L2 (weight decay = (λ/2)‖θ‖² in the loss)', () => run(fixture.noReset, adagrad));
  it('resetAccumulators() at every epoch start', () => run(fixture.reset, adagrad, true));
  it('SGD: per-group lr and L2 the same way', () => run(fixture.sgd, (groups) => new SGD(groups, { lr: fixture.lr })));
  it('the reset changes the trajectory (the goldens differ after the first epoch)', () => {
    const last = fixture.epochs * fixture.stepsPerEpoch - 1;
    expect(Math.abs(fixture.reset[last].a[0] - fixture.noReset[last].a[0])).toBeGreaterThan(1e-4);
    expect(fixture.reset[fixture.stepsPerEpoch - 1]).toEqual(fixture.noReset[fixture.stepsPerEpoch - 1]);
  });
  it('parameters that have not stepped keep no accumulator', () => {
    const p = tensor([1, 2], [2], { requiresGrad: true });
    const opt = new Adagrad([p], { lr: 0.1 });
    opt.resetAccumulators();
    expect(opt.stateDict().state).toEqual({});
    setGrad(p, [1, 1]);
    opt.step();
    opt.resetAccumulators();
    expect(Array.from(opt.stateDict().state[0].sum as Float32Array)).toEqual([0, 0]);
  });
});
