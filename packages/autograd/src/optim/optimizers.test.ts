import { describe, expect, it } from 'vitest';
import { loadCoreSync } from '@eddy/core-wasm';
import { EddyError, getCore, useCore } from '../backend.js';
import { tensor } from '../creation.js';
import { scope } from '../scope.js';
import { Tensor } from '../tensor.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from './index.js';

// Each optimizer against PyTorch's single-tensor algorithm (torch/optim/*.py) re-implemented here
// in float64 over plain arrays: same formulas, independent code. Gradients are a fixed sequence,
// so both trajectories see the same inputs; the kernels run in float32, hence the tolerance.

const core = getCore();

function param(values: number[]): Tensor {
  return tensor(values, [values.length], { requiresGrad: true });
}

/** Sets ∂L/∂p as backward would: a block beside the parameter. */
function setGrad(p: Tensor, g: ArrayLike<number>): void {
  p.grad ??= new Tensor(core, core.arena.allocBeside(p.ptr, p.size * 4), p.shape);
  core.arena.f32.set(g, p.grad.ptr >>> 2);
}

const values = (t: Tensor) => Array.from(t.toFloat32Array());

/** The gradient at step t (1-based): varied signs and magnitudes, independent of θ. */
function gradAt(t: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.7 * t) * (0.5 + i / n) + (i === 2 ? 0.01 : 0));
}

const THETA0 = [0.5, -1.25, 0.75, 2, -0.3, 0.05, 1.5];

function expectClose(got: number[], want: number[], rtol = 2e-5, atol = 1e-6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (tol ${tol})\n got ${got}\nwant ${want}`);
    }
  }
}

type Ref = (theta: number[], g: number[], t: number) => void;

/** Runs `steps` steps of the optimizer and of the reference, comparing θ after each. */
function compare(make: (p: Tensor) => Optimizer, ref: Ref, steps = 6, between?: (opt: Optimizer, t: number) => void): void {
  const p = param(THETA0);
  const opt = make(p);
  const theta = [...THETA0];
  for (let t = 1; t <= steps; t++) {
    between?.(opt, t);
    const g = gradAt(t, THETA0.length);
    setGrad(p, g);
    opt.step();
    ref(theta, g.slice(), t);
    expectClose(values(p), theta);
  }
  // The gradient is read only.
  expect(values(p.grad!)).toEqual(gradAt(steps, THETA0.length).map(Math.fround));
}

function sgdRef(o: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }): Ref {
  let buf: number[] | null = null;
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = o;
  return (theta, g) => {
    for (let i = 0; i < g.length; i++) g[i] += weightDecay * theta[i];
    if (momentum !== 0) {
      buf = buf === null ? g.slice() : buf.map((b, i) => momentum * b + (1 - dampening) * g[i]);
      for (let i = 0; i < g.length; i++) g[i] = nesterov ? g[i] + momentum * buf[i] : buf[i];
    }
    for (let i = 0; i < g.length; i++) theta[i] -= lr * g[i];
  };
}

function adamRef(o: { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; decoupled?: boolean }): Ref {
  const { lr, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, amsgrad = false, decoupled = false } = o;
  const weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  let m: number[] = [];
  let v: number[] = [];
  let vmax: number[] = [];
  return (theta, g, t) => {
    if (m.length === 0) m = g.map(() => 0), v = g.map(() => 0), vmax = g.map(() => 0);
    for (let i = 0; i < g.length; i++) {
      if (decoupled) theta[i] *= 1 - lr * weightDecay;
      else g[i] += weightDecay * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      vmax[i] = Math.max(vmax[i], v[i]);
      const stepSize = lr / (1 - b1 ** t);
      const denom = Math.sqrt(amsgrad ? vmax[i] : v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      theta[i] -= stepSize * (m[i] / denom);
    }
  };
}

function rmspropRef(o: { lr: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }): Ref {
  const { lr, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o;
  let v: number[] = [];
  let ga: number[] = [];
  let b: number[] = [];
  return (theta, g) => {
    if (v.length === 0) v = g.map(() => 0), ga = g.map(() => 0), b = g.map(() => 0);
    for (let i = 0; i < g.length; i++) {
      g[i] += weightDecay * theta[i];
      v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
      let avg: number;
      if (centered) {
        ga[i] = alpha * ga[i] + (1 - alpha) * g[i];
        avg = Math.sqrt(v[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = Math.sqrt(v[i]) + eps;
      }
      if (momentum > 0) {
        b[i] = momentum * b[i] + g[i] / avg;
        theta[i] -= lr * b[i];
      } else {
        theta[i] -= (lr * g[i]) / avg;
      }
    }
  };
}

function adagradRef(o: { lr: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number }): Ref {
  const { lr, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = o;
  let s: number[] = [];
  return (theta, g, t) => {
    if (s.length === 0) s = g.map(() => initialAccumulatorValue);
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < g.length; i++) {
      g[i] += weightDecay * theta[i];
      s[i] += g[i] * g[i];
      theta[i] -= (clr * g[i]) / (Math.sqrt(s[i]) + eps);
    }
  };
}

describe('SGD', () => {
  it('plain: θ ← θ − γg (hand-computed first step)', () => {
    const p = param([1, -2]);
    setGrad(p, [0.5, -0.25]);
    new SGD([p], { lr: 0.1 }).step();
    expectClose(values(p), [1 - 0.05, -2 + 0.025], 1e-7, 0);
  });
  it('with weight decay', () => compare((p) => new SGD([p], { lr: 0.1, weightDecay: 0.05 }), sgdRef({ lr: 0.1, weightDecay: 0.05 })));
  it('with momentum and dampening (first step copies the gradient)', () =>
    compare((p) => new SGD([p], { lr: 0.05, momentum: 0.9, dampening: 0.3 }), sgdRef({ lr: 0.05, momentum: 0.9, dampening: 0.3 })));
  it('with Nesterov momentum and weight decay', () =>
    compare(
      (p) => new SGD([p], { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }),
      sgdRef({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }),
    ));
  it('follows lr changed between steps', () => {
    const lrs = [0.1, 0.05, 0.2, 0, 0.01, 0.03];
    // Plain SGD keeps no state, so the reference can be rebuilt with each step's lr.
    const ref: Ref = (theta, g, t) => sgdRef({ lr: lrs[t - 1] })(theta, g, t);
    compare((p) => new SGD([p], { lr: 1 }), ref, 6, (opt, t) => (opt.lr = lrs[t - 1]));
  });
});

describe('Adam', () => {
  it('bias correction makes the first step ≈ γ·sign(g) (hand-computed)', () => {
    // t = 1: m = (1−β₁)g, v = (1−β₂)g², so m/(1−β₁) / (√v/√(1−β₂) + ε) = g/(|g| + ε).
    const p = param([0, 0, 0]);
    setGrad(p, [3, -0.02, 1e-3]);
    new Adam([p], { lr: 0.01 }).step();
    expectClose(values(p), [-0.01 * (3 / (3 + 1e-8)), 0.01 * (0.02 / (0.02 + 1e-8)), -0.01 * (1e-3 / (1e-3 + 1e-8))], 1e-6, 0);
  });
  it('default hyper-parameters', () => compare((p) => new Adam([p], { lr: 0.01 }), adamRef({ lr: 0.01 })));
  it('with L2 weight decay and other betas', () =>
    compare(
      (p) => new Adam([p], { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }),
      adamRef({ lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }),
    ));
  it('amsgrad', () => compare((p) => new Adam([p], { lr: 0.01, amsgrad: true, betas: [0.5, 0.6] }), adamRef({ lr: 0.01, amsgrad: true, betas: [0.5, 0.6] }), 8));
});

describe('AdamW', () => {
  it('default weight decay 1e-2, decoupled', () => compare((p) => new AdamW([p], { lr: 0.01 }), adamRef({ lr: 0.01, decoupled: true })));
  it('decay is decoupled: with a zero gradient θ shrinks by exactly (1 − γλ) per step, unlike Adam', () => {
    const p = param([1, -2, 4]);
    const q = param([1, -2, 4]);
    const w = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    const a = new Adam([q], { lr: 0.1, weightDecay: 0.5 });
    for (let t = 1; t <= 3; t++) {
      setGrad(p, [0, 0, 0]);
      setGrad(q, [0, 0, 0]);
      w.step();
      a.step();
    }
    expectClose(values(p), [1, -2, 4].map((x) => x * 0.95 ** 3), 1e-6, 0);
    // Adam folds λθ into g, normalised by √v: each step moves θ by about γ, not by γλθ.
    expectClose(values(q), adamRefTrajectory([1, -2, 4], 3, { lr: 0.1, weightDecay: 0.5 }));
    expect(Math.abs(values(q)[0] - 0.95 ** 3)).toBeGreaterThan(0.1);
  });
});

function adamRefTrajectory(theta0: number[], steps: number, o: Parameters<typeof adamRef>[0]): number[] {
  const theta = theta0.slice();
  const ref = adamRef(o);
  for (let t = 1; t <= steps; t++) ref(theta, theta.map(() => 0), t);
  return theta;
}

describe('RMSprop', () => {
  it('defaults', () => compare((p) => new RMSprop([p], { lr: 0.01 }), rmspropRef({ lr: 0.01 })));
  it('centred, with momentum and weight decay', () =>
    compare(
      (p) => new RMSprop([p], { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.1, eps: 1e-6 }),
      rmspropRef({ lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.1, eps: 1e-6 }),
    ));
});

describe('Adagrad', () => {
  it('defaults', () => compare((p) => new Adagrad([p], { lr: 0.1 }), adagradRef({ lr: 0.1 })));
  it('lr decay, weight decay and an initial accumulator', () =>
    compare(
      (p) => new Adagrad([p], { lr: 0.1, lrDecay: 0.3, weightDecay: 0.2, initialAccumulatorValue: 0.5 }),
      adagradRef({ lr: 0.1, lrDecay: 0.3, weightDecay: 0.2, initialAccumulatorValue: 0.5 }),
    ));
});

describe('Optimizer (shared behaviour)', () => {
  it('skips parameters without a gradient and zeroGrad zeroes gradients in place', () => {
    const a = param([1, 2]);
    const b = param([3, 4]);
    setGrad(a, [1, 1]);
    const opt = new SGD([a, b], { lr: 0.5 });
    opt.step();
    expect(values(a)).toEqual([0.5, 1.5]);
    expect(values(b)).toEqual([3, 4]);
    const gradPtr = a.grad!.ptr;
    opt.zeroGrad();
    expect(a.grad!.ptr).toBe(gradPtr);
    expect(values(a.grad!)).toEqual([0, 0]);
  });

  const makers: Array<[string, (ps: Tensor[]) => Optimizer]> = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['Adam', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.01 })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.01 })],
    ['RMSprop', (ps) => new RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.9 })],
    ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ];

  it.each(makers)('%s: stateDict / loadStateDict resumes bit for bit', (_name, make) => {
    const run = (ps: Tensor[], opt: Optimizer, from: number, to: number) => {
      for (let t = from; t <= to; t++) {
        ps.forEach((p, j) => setGrad(p, gradAt(t + j, p.size)));
        opt.step();
      }
    };
    const ps = [param(THETA0), param([0.1, -0.2, 0.3])];
    const opt = make(ps);
    run(ps, opt, 1, 3);
    const dict = opt.stateDict();
    const snapshot = ps.map((p) => p.toFloat32Array());
    run(ps, opt, 4, 6);

    // A fresh run: new parameters with the snapshot's values, a new optimizer with other lr.
    const qs = snapshot.map((v) => param(Array.from(v)));
    const resumed = make(qs);
    resumed.lr = 123;
    resumed.loadStateDict(dict);
    expect(resumed.lr).toBe(opt.lr);
    run(qs, resumed, 4, 6);
    for (let j = 0; j < ps.length; j++) expect(qs[j].toFloat32Array()).toEqual(ps[j].toFloat32Array());
    // The dict is a copy: later steps did not change it.
    expect(opt.stateDict().state[0].step).toBe(6);
    expect(dict.state[0].step).toBe(3);
  });

  it('rejects bad hyper-parameters with E_ARGUMENT', () => {
    const p = param([1]);
    const bad: Array<() => unknown> = [
      () => new SGD([p], { lr: -1 }),
      () => new SGD([p], { lr: NaN }),
      () => new SGD([p], { momentum: 0.9, dampening: 0.1, nesterov: true }),
      () => new SGD([p], { nesterov: true }),
      () => new Adam([p], { betas: [0.9, 1] }),
      () => new Adam([p], { betas: [-0.1, 0.9] }),
      () => new Adam([p], { eps: 0 }),
      () => new AdamW([p], { weightDecay: -0.1 }),
      () => new RMSprop([p], { alpha: 1 }),
      () => new Adagrad([p], { lrDecay: -1 }),
      () => new Adagrad([p], { initialAccumulatorValue: Infinity }),
      () => new SGD([], { lr: 0.1 }),
      () => new SGD([p, p], { lr: 0.1 }),
      () => new Adam([p], { amsgrad: 1 as unknown as boolean }),
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EddyError);
      expect((err as EddyError).code).toBe('E_ARGUMENT');
    }
  });

  it('re-checks hyper-parameters changed between steps', () => {
    const p = param([1]);
    setGrad(p, [1]);
    const opt = new Adam([p]);
    opt.lr = Infinity;
    expect(() => opt.step()).toThrow(/Adam: lr must be a finite number/);
    expect(values(p)).toEqual([1]);
  });

  it('rejects a state dict of another optimizer or other sizes, leaving its state unchanged', () => {
    const p = param([1, 2]);
    setGrad(p, [1, 1]);
    const adam = new Adam([p]);
    adam.step();
    const sgd = new SGD([param([1, 2])], { lr: 0.1 });
    expect(() => sgd.loadStateDict(adam.stateDict())).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    const other = new Adam([param([1, 2, 3])]);
    expect(() => other.loadStateDict(adam.stateDict())).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    const dict = adam.stateDict();
    dict.param_groups[0].eps = -1;
    const fresh = new Adam([param([1, 2])], { lr: 0.5 });
    expect(() => fresh.loadStateDict(dict)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(fresh.lr).toBe(0.5);
  });

  it('parameter groups: each group updates with its own lr and weight decay, as separate optimizers would', () => {
    const [a, b, c] = [param([1, 2]), param([3]), param([-1, 0.5])];
    const [a2, b2, c2] = [param([1, 2]), param([3]), param([-1, 0.5])];
    const grouped = new Adam([{ params: [a, b] }, { params: [c], lr: 0.5, weightDecay: 0.1 }], { lr: 0.01 });
    const first = new Adam([a2, b2], { lr: 0.01 });
    const second = new Adam([c2], { lr: 0.5, weightDecay: 0.1 });
    for (let t = 1; t <= 3; t++) {
      for (const [p, q] of [[a, a2], [b, b2], [c, c2]] as const) {
        setGrad(p, gradAt(t, p.size));
        setGrad(q, gradAt(t, q.size));
      }
      grouped.step();
      first.step();
      second.step();
    }
    for (const [p, q] of [[a, a2], [b, b2], [c, c2]] as const) expect(values(p)).toEqual(values(q));
    // Setting lr (as a schedule does) keeps the groups' ratio.
    grouped.lr = 0.001;
    expect(grouped.paramGroups.map((g) => g.lr)).toEqual([0.001, expect.closeTo(0.05, 12)]);
  });

  it("stateDict has PyTorch's layout: state by parameter index with snake_case buffers, param_groups with params", () => {
    const [a, b] = [param([1, 2]), param([3])];
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.1 }], { lr: 0.01, amsgrad: true });
    setGrad(a, [1, 1]);
    opt.step();
    const dict = opt.stateDict();
    expect(Object.keys(dict.state)).toEqual(['0']);
    expect(Object.keys(dict.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
    expect(dict.param_groups).toEqual([
      { params: [0], lr: 0.01, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8, amsgrad: true },
      { params: [1], lr: 0.1, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8, amsgrad: true },
    ]);
    const other = new Adam([a, b]);
    expect(() => other.loadStateDict(dict)).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
    expect(() => new Adam([{ params: [a], lrr: 1 } as never])).toThrow(/unknown option "lrr"/);
  });

  it('a gradient of another size is an E_SHAPE error', () => {
    const p = param([1, 2]);
    p.grad = new Tensor(core, core.arena.allocBeside(p.ptr, 12), [3]);
    expect(() => new SGD([p], { lr: 0.1 }).step()).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
  });

  it('end to end: backward fills the grads, steps inside scope() keep memory flat', () => {
    // L = Σ w², so ∂L/∂w = 2w and SGD gives w ← w(1 − 2γ) each step.
    const w = tensor([1, -2, 0.5], [3], { requiresGrad: true });
    const opt = new Adam([w], { lr: 0.01 });
    const sgd = new SGD([w], { lr: 0.1, momentum: 0.5 });
    let used = 0;
    for (let t = 0; t < 5; t++) {
      scope(() => {
        opt.zeroGrad();
        w.mul(w).sum().backward();
        opt.step();
        sgd.step();
      });
      if (t === 1) used = core.arena.used;
      if (t > 1) expect(core.arena.used).toBe(used);
    }
    const ref = adamRef({ lr: 0.01 });
    const sref = sgdRef({ lr: 0.1, momentum: 0.5 });
    const theta = [1, -2, 0.5];
    for (let t = 1; t <= 5; t++) {
      const g = theta.map((x) => 2 * x);
      ref(theta, g.slice(), t);
      sref(theta, g.slice(), t);
    }
    expectClose(values(w), theta);
  });

  it.each(makers)('%s on the checked debug build gives the same bits; params of two cores are refused', (_name, make) => {
    const run = () => {
      const ps = [param(THETA0)];
      const opt = make(ps);
      for (let t = 1; t <= 3; t++) {
        setGradIn(ps[0], gradAt(t, THETA0.length));
        opt.step();
      }
      return ps[0].toFloat32Array();
    };
    const expected = run();
    const before = getCore();
    const local = param([1]);
    useCore(debugCore);
    try {
      expect(run()).toEqual(expected);
      expect(() => make([local, param([1])])).toThrow(expect.objectContaining({ code: 'E_CORE_MISMATCH' }));
    } finally {
      useCore(before);
    }
  });
});

const debugCore = loadCoreSync({ variant: 'debug' });

/** setGrad for a parameter of any core. */
function setGradIn(p: Tensor, g: ArrayLike<number>): void {
  p.grad ??= new Tensor(p.core, p.core.arena.allocBeside(p.ptr, p.size * 4), p.shape);
  p.core.arena.f32.set(g, p.grad.ptr >>> 2);
}
