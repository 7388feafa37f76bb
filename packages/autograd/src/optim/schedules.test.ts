import { describe, expect, it } from 'vitest';
import { EddyError, getCore } from '../backend.js';
import { tensor } from '../creation.js';
import { Tensor } from '../tensor.js';
import { CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, SGD, StepLR, type LRScheduler } from './index.js';

const core = getCore();
const sgd = (lr: number) => new SGD([tensor([0], [1])], { lr });

/** lr after construction and after each of `epochs` steps. */
function lrs(sched: LRScheduler, epochs: number): number[] {
  const out = [sched.optimizer.lr];
  for (let e = 0; e < epochs; e++) {
    sched.step();
    out.push(sched.optimizer.lr);
  }
  return out;
}

function expectSeq(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 12));
}

describe('epochic schedules (PyTorch closed forms)', () => {
  it('StepLR: ×γ every stepSize epochs', () => {
    const s = new StepLR(sgd(0.1), { stepSize: 3, gamma: 0.5 });
    expectSeq(lrs(s, 7), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
    expect(s.getLastLr()).toBeCloseTo(0.025, 15);
  });

  it('ExponentialLR: ×γ every epoch', () => {
    expectSeq(lrs(new ExponentialLR(sgd(2), { gamma: 0.9 }), 4), [2, 1.8, 1.62, 1.458, 1.3122]);
  });

  it('CosineAnnealingLR: base at 0, midpoint at T/2, etaMin at T, rising after', () => {
    const s = new CosineAnnealingLR(sgd(0.1), { tMax: 4, etaMin: 0.02 });
    // η_min + (γ₀ − η_min)(1 + cos(πe/4))/2 with cos(π/4) = √2/2.
    const half = Math.SQRT1_2;
    expectSeq(lrs(s, 6), [0.1, 0.02 + 0.04 * (1 + half), 0.06, 0.02 + 0.04 * (1 - half), 0.02, 0.02 + 0.04 * (1 - half), 0.06]);
  });

  it('the schedule drives the optimizer: steps use the scheduled lr', () => {
    const p = tensor([0], [1], { requiresGrad: true });
    p.grad = new Tensor(core, core.arena.allocBeside(p.ptr, 4), [1]);
    core.arena.f32[p.grad.ptr >>> 2] = 1;
    const opt = new SGD([p], { lr: 1 });
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    for (let e = 0; e < 3; e++) {
      opt.step();
      s.step();
    }
    expect(p.toFloat32Array()[0]).toBe(-(1 + 0.5 + 0.25));
  });

  it('stateDict round trip (through JSON) continues the same sequence', () => {
    const a = new CosineAnnealingLR(sgd(0.3), { tMax: 10 });
    lrs(a, 3);
    const saved = JSON.parse(JSON.stringify(a.stateDict()));
    const rest = lrs(a, 4).slice(1);
    const opt = sgd(99);
    const b = new CosineAnnealingLR(opt, { tMax: 10 });
    b.loadStateDict(saved);
    expect(opt.lr).toBeCloseTo(0.15 * (1 + Math.cos((Math.PI * 3) / 10)), 15);
    expect(lrs(b, 4).slice(1)).toEqual(rest);
    expect(() => b.loadStateDict(new StepLR(sgd(1), { stepSize: 1 }).stateDict())).toThrow(EddyError);
  });

  it('rejects bad options with E_ARGUMENT', () => {
    const bad = [
      () => new StepLR(sgd(0.1), { stepSize: 0 }),
      () => new StepLR(sgd(0.1), { stepSize: 1.5 }),
      () => new ExponentialLR(sgd(0.1), { gamma: -1 }),
      () => new CosineAnnealingLR(sgd(0.1), { tMax: 0 }),
      () => new ReduceLROnPlateau(sgd(0.1), { factor: 1 }),
      () => new ReduceLROnPlateau(sgd(0.1), { mode: 'up' as 'min' }),
      () => new ReduceLROnPlateau(sgd(0.1), { patience: -1 }),
      () => new StepLR(null as unknown as SGD, { stepSize: 1 }),
    ];
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

describe('ReduceLROnPlateau', () => {
  it('reduces after more than `patience` bad epochs, then waits `cooldown` epochs', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 2, cooldown: 1, factor: 0.5, threshold: 0.1 });
    // Traced by hand with PyTorch's rules (rel threshold: better means < best·0.9):
    // e1 10 best; e2 9.5 bad1; e3 9.2 bad2; e4 9.1 bad3 > 2 → lr 0.5, cooldown 1;
    // e5 9.0 bad1 but cooldown resets it to 0; e6 8.0 better (best 8); e7 8 bad1; e8 7.5 bad2;
    // e9 7.3 bad3 → lr 0.25; e10 1 better.
    const metrics = [10, 9.5, 9.2, 9.1, 9.0, 8.0, 8, 7.5, 7.3, 1];
    const seen = metrics.map((m) => (s.step(m), opt.lr));
    expect(seen).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(s.best).toBe(1);
  });

  it('max mode with an absolute threshold and a floor minLr', () => {
    const opt = sgd(0.1);
    const s = new ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.05, patience: 0, factor: 0.1, minLr: 0.005 });
    // patience 0: every non-improving epoch reduces. 0.5 best; 0.52 not > 0.55 → 0.01; 0.6 better;
    // 0.6 bad → max(0.001, 0.005) = 0.005; 0.1 bad → 0.005 − 0.005 = 0 ≤ eps, unchanged.
    const seen = [0.5, 0.52, 0.6, 0.6, 0.1].map((m) => (s.step(m), opt.lr));
    expectSeq(seen, [0.1, 0.01, 0.01, 0.005, 0.005]);
  });

  it('state round trip through JSON, including an infinite best', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 1 });
    const fresh = JSON.parse(JSON.stringify(s.stateDict()));
    s.step(5);
    s.step(6);
    const mid = JSON.parse(JSON.stringify(s.stateDict()));
    s.step(7);
    const opt2 = sgd(1);
    const t = new ReduceLROnPlateau(opt2, { patience: 1 });
    t.loadStateDict(mid);
    t.step(7);
    expect(opt2.lr).toBe(opt.lr);
    expect(opt.lr).toBeCloseTo(0.1, 15);
    t.loadStateDict(fresh);
    expect(t.best).toBe(Infinity);
    expect(() => s.step(NaN)).toThrow(EddyError);
  });
});
