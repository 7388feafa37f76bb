import { describe, expect, it } from 'vitest';
import {
  adagradUpdate, adamUpdate, adamwUpdate, clipValue, rmspropUpdate, sgdUpdate, type Core,
} from '../src/index.node.js';
import { closeness, core, expectEddyError, rng, uniform, VARIANTS } from './cores.js';

type Impl = 'simd' | 'scalar';
const IMPLS: Impl[] = ['simd', 'scalar'];

/**
 * An optimizer under test: the wrapper call, and an independent float64 reference written from
 * PyTorch's algorithm boxes (torch.optim docs), which updates θ and its state in place.
 */
interface Case {
  label: string;
  /** State buffers the wrapper takes, by argument name. */
  state: string[];
  /** Value the state starts at (Adagrad's initial accumulator); 0 otherwise. */
  init?: number;
  call(c: Core, p: Record<string, number>, n: number, step: number, impl: Impl): void;
  ref(theta: Float64Array, g: Float32Array, s: Record<string, Float64Array>, step: number): void;
}

function sgdCase(o: { momentum: number; dampening: number; nesterov: boolean; weightDecay: number }): Case {
  const lr = 0.05;
  return {
    label: `sgd momentum=${o.momentum} dampening=${o.dampening} nesterov=${o.nesterov} wd=${o.weightDecay}`,
    state: o.momentum > 0 ? ['momentumBuffer'] : [],
    call: (c, p, n, step, impl) =>
      sgdUpdate(c, { n, param: p.param, grad: p.grad, momentumBuffer: p.momentumBuffer, lr, ...o, first: step === 1 }, impl),
    ref: (theta, grad, s, step) => {
      for (let i = 0; i < theta.length; i++) {
        let g = grad[i] + o.weightDecay * theta[i];
        if (o.momentum > 0) {
          const b = step === 1 ? g : o.momentum * s.momentumBuffer[i] + (1 - o.dampening) * g;
          s.momentumBuffer[i] = b;
          g = o.nesterov ? g + o.momentum * b : b;
        }
        theta[i] -= lr * g;
      }
    },
  };
}

function adamCase(o: { decoupled: boolean; amsgrad: boolean; weightDecay: number; beta1: number; beta2: number }): Case {
  const lr = 0.01;
  const eps = 1e-8;
  return {
    label: `${o.decoupled ? 'adamw' : 'adam'} amsgrad=${o.amsgrad} wd=${o.weightDecay} betas=${o.beta1},${o.beta2}`,
    state: o.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'],
    call: (c, p, n, step, impl) => {
      const args = {
        n, param: p.param, grad: p.grad, expAvg: p.expAvg, expAvgSq: p.expAvgSq, maxExpAvgSq: p.maxExpAvgSq,
        step, lr, eps, beta1: o.beta1, beta2: o.beta2, weightDecay: o.weightDecay,
      };
      (o.decoupled ? adamwUpdate : adamUpdate)(c, args, impl);
    },
    ref: (theta, grad, s, t) => {
      for (let i = 0; i < theta.length; i++) {
        let g = grad[i];
        if (o.decoupled) theta[i] *= 1 - lr * o.weightDecay;
        else g += o.weightDecay * theta[i];
        s.expAvg[i] = o.beta1 * s.expAvg[i] + (1 - o.beta1) * g;
        s.expAvgSq[i] = o.beta2 * s.expAvgSq[i] + (1 - o.beta2) * g * g;
        let v = s.expAvgSq[i];
        // amsgrad: max of the raw v, corrected afterwards, as torch's code (pytorch/pytorch#142323).
        if (o.amsgrad) v = s.maxExpAvgSq[i] = Math.max(s.maxExpAvgSq[i], v);
        const mHat = s.expAvg[i] / (1 - o.beta1 ** t);
        const vHat = v / (1 - o.beta2 ** t);
        theta[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    },
  };
}

function rmspropCase(o: { centered: boolean; momentum: number; weightDecay: number }): Case {
  const lr = 0.01;
  const alpha = 0.9;
  const eps = 1e-8;
  const state = ['squareAvg'];
  if (o.centered) state.push('gradAvg');
  if (o.momentum > 0) state.push('momentumBuffer');
  return {
    label: `rmsprop centered=${o.centered} momentum=${o.momentum} wd=${o.weightDecay}`,
    state,
    call: (c, p, n, _step, impl) =>
      rmspropUpdate(c, {
        n, param: p.param, grad: p.grad, squareAvg: p.squareAvg, gradAvg: p.gradAvg, momentumBuffer: p.momentumBuffer,
        lr, alpha, eps, momentum: o.momentum, weightDecay: o.weightDecay,
      }, impl),
    ref: (theta, grad, s) => {
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i] + o.weightDecay * theta[i];
        s.squareAvg[i] = alpha * s.squareAvg[i] + (1 - alpha) * g * g;
        let v = s.squareAvg[i];
        if (o.centered) {
          s.gradAvg[i] = alpha * s.gradAvg[i] + (1 - alpha) * g;
          v -= s.gradAvg[i] ** 2;
        }
        const avg = Math.sqrt(v) + eps;
        if (o.momentum > 0) {
          s.momentumBuffer[i] = o.momentum * s.momentumBuffer[i] + g / avg;
          theta[i] -= lr * s.momentumBuffer[i];
        } else {
          theta[i] -= (lr * g) / avg;
        }
      }
    },
  };
}

function adagradCase(o: { lrDecay: number; weightDecay: number; initial: number }): Case {
  const lr = 0.1;
  const eps = 1e-10;
  return {
    label: `adagrad lrDecay=${o.lrDecay} wd=${o.weightDecay} initial=${o.initial}`,
    state: ['stateSum'],
    init: o.initial,
    call: (c, p, n, step, impl) =>
      adagradUpdate(c, { n, param: p.param, grad: p.grad, stateSum: p.stateSum, step, lr, eps, lrDecay: o.lrDecay, weightDecay: o.weightDecay }, impl),
    ref: (theta, grad, s, t) => {
      const clr = lr / (1 + (t - 1) * o.lrDecay);
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i] + o.weightDecay * theta[i];
        s.stateSum[i] += g * g;
        theta[i] -= (clr * g) / (Math.sqrt(s.stateSum[i]) + eps);
      }
    },
  };
}

const CASES: Case[] = [];
for (const weightDecay of [0, 0.05]) {
  CASES.push(sgdCase({ momentum: 0, dampening: 0, nesterov: false, weightDecay }));
  CASES.push(sgdCase({ momentum: 0.9, dampening: 0, nesterov: false, weightDecay }));
  CASES.push(sgdCase({ momentum: 0.9, dampening: 0, nesterov: true, weightDecay }));
  CASES.push(sgdCase({ momentum: 0.9, dampening: 0.25, nesterov: false, weightDecay }));
  for (const decoupled of [false, true]) {
    for (const amsgrad of [false, true]) CASES.push(adamCase({ decoupled, amsgrad, weightDecay, beta1: 0.9, beta2: 0.999 }));
  }
  for (const centered of [false, true]) {
    for (const momentum of [0, 0.8]) CASES.push(rmspropCase({ centered, momentum, weightDecay }));
  }
  for (const lrDecay of [0, 0.1]) {
    for (const initial of [0, 0.1]) CASES.push(adagradCase({ lrDecay, weightDecay, initial }));
  }
}
// β₁ = 0 (no first moment) and β₁ ≥ 0.5 off its default, with amsgrad.
CASES.push(adamCase({ decoupled: false, amsgrad: true, weightDecay: 0, beta1: 0, beta2: 0.9 }));
CASES.push(adamCase({ decoupled: true, amsgrad: false, weightDecay: 0.1, beta1: 0.5, beta2: 0.95 }));

const SIZES = [1, 3, 4, 5, 8, 13, 37];
const STEPS = 6;
const SENTINEL = 12345.5;

interface Trial {
  theta0: Float32Array;
  grads: Float32Array[];
}

/** θ₀ in [−1, 1) and gradients of the given scale, with exact zeros and tiny values mixed in. */
function trial(n: number, scale: number, seed: number): Trial {
  const random = rng(seed);
  const theta0 = uniform(random, n);
  const grads = Array.from({ length: STEPS }, (_, s) => {
    const g = uniform(random, n, -scale, scale);
    if (n > 2) g[(s * 7) % n] = 0;
    if (n > 5) g[(s * 3 + 1) % n] = scale * 1e-30;
    return g;
  });
  return { theta0, grads };
}

/**
 * Runs the case's kernel for STEPS steps with state carried in wasm memory. Every buffer sits at
 * a different 4-byte misalignment and is followed by sentinels the kernel must not touch; the
 * gradient must come back unchanged.
 */
function runKernel(c0: Core, cs: Case, t: Trial, impl: Impl) {
  const n = t.theta0.length;
  return c0.arena.scope(() => {
    const names = ['param', 'grad', ...cs.state];
    const p: Record<string, number> = {};
    names.forEach((name, k) => {
      p[name] = c0.arena.alloc((n + 8) * 4) + 4 * (k % 4);
      const start = p[name] >>> 2;
      c0.arena.f32.fill(name === 'param' || name === 'grad' ? 0 : (cs.init ?? 0), start, start + n);
      c0.arena.f32.fill(SENTINEL, start + n, start + n + 4);
    });
    c0.arena.f32.set(t.theta0, p.param >>> 2);
    for (let step = 1; step <= STEPS; step++) {
      c0.arena.f32.set(t.grads[step - 1], p.grad >>> 2);
      cs.call(c0, p, n, step, impl);
      expect(c0.arena.readF32(p.grad, n)).toEqual(t.grads[step - 1]);
    }
    for (const name of names) expect(Array.from(c0.arena.readF32(p[name] + 4 * n, 4))).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
    const state: Record<string, Float32Array> = {};
    for (const name of cs.state) state[name] = c0.arena.readF32(p[name], n);
    return { param: c0.arena.readF32(p.param, n), state };
  });
}

function runReference(cs: Case, t: Trial) {
  const n = t.theta0.length;
  const theta = Float64Array.from(t.theta0);
  const state: Record<string, Float64Array> = {};
  for (const name of cs.state) state[name] = new Float64Array(n).fill(cs.init ?? 0);
  // Rounding errors grow with the distance θ travels, not with where it ends (SGD at large
  // gradients swings far and may come back near 0): the tolerance scales with the longest path.
  let path = 1;
  const distance = Float64Array.from(theta, Math.abs);
  for (let step = 1; step <= STEPS; step++) {
    const before = theta.slice();
    cs.ref(theta, t.grads[step - 1], state, step);
    for (let i = 0; i < n; i++) path = Math.max(path, (distance[i] += Math.abs(theta[i] - before[i])));
  }
  return { param: theta, state, path };
}

/** Bit patterns, so that −0/+0 and NaN payloads count. */
function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

describe.each(VARIANTS)('optimizer updates (%s build)', (variant) => {
  for (const cs of CASES) {
    it(`${cs.label}: both twins follow the float64 reference over ${STEPS} steps; twins agree bit for bit`, () => {
      const c0 = core(variant);
      for (const n of SIZES) {
        for (const scale of [1, 100, 1e4]) {
          const t = trial(n, scale, n * 7919 + scale);
          const want = runReference(cs, t);
          const got = Object.fromEntries(IMPLS.map((impl) => [impl, runKernel(c0, cs, t, impl)]));
          for (const impl of IMPLS) {
            const where = `${impl} n=${n} scale=${scale}`;
            expect(closeness(got[impl].param, want.param, 1e-6 * want.path, 2e-5), `param, ${where}`).toBeLessThanOrEqual(1);
            for (const name of cs.state) {
              const atol = 1e-6 * (name.endsWith('Sq') || name === 'squareAvg' || name === 'stateSum' ? scale * scale : scale);
              expect(closeness(got[impl].state[name], want.state[name], atol, 2e-5), `${name}, ${where}`).toBeLessThanOrEqual(1);
            }
          }
          // Same operations in the same order, exactly rounded, no FMA: the twins cannot differ.
          expect(bits(got.simd.param)).toEqual(bits(got.scalar.param));
          for (const name of cs.state) expect(bits(got.simd.state[name])).toEqual(bits(got.scalar.state[name]));
        }
      }
    });
  }

  for (const impl of IMPLS) {
    it(`${impl}: a NaN gradient poisons only its own element, in a SIMD block and in the tail`, () => {
      const c0 = core(variant);
      const n = 11;
      for (const cs of CASES) {
        const clean = trial(n, 1, 99);
        const poisoned: Trial = { theta0: clean.theta0, grads: clean.grads.map((g) => g.slice()) };
        poisoned.grads[2][5] = NaN;
        poisoned.grads[2][9] = NaN;
        const a = runKernel(c0, cs, clean, impl).param;
        const b = runKernel(c0, cs, poisoned, impl).param;
        for (let i = 0; i < n; i++) {
          if (i === 5 || i === 9) expect(b[i], cs.label).toBeNaN();
          else expect(b[i], `${cs.label} element ${i}`).toBe(a[i]);
        }
      }
    });

    it(`${impl}: SGD momentum, dampening and the first-step flag give hand-computed values`, () => {
      const c0 = core(variant);
      c0.arena.scope(() => {
        const param = c0.arena.fromF32([1, -2, 4, 0.5, 8]);
        const grad = c0.arena.fromF32([0.5, 0.5, -1, 2, 0]);
        const momentumBuffer = c0.arena.fromF32([99, 99, 99, 99, 99]);
        const args = { n: 5, param, grad, momentumBuffer, lr: 0.1, momentum: 0.9, dampening: 0.5 };
        sgdUpdate(c0, { ...args, first: true }, impl); // b = g (old buffer ignored, no dampening)
        expect(Array.from(c0.arena.readF32(momentumBuffer, 5))).toEqual([0.5, 0.5, -1, 2, 0]);
        sgdUpdate(c0, { ...args, first: false }, impl); // b = 0.9·b + 0.5·g
        const b = c0.arena.readF32(momentumBuffer, 5);
        expect(closeness(b, [0.7, 0.7, -1.4, 2.8, 0], 0, 1e-6)).toBeLessThanOrEqual(1);
        // θ = θ₀ − 0.1·g − 0.1·b₂
        expect(closeness(c0.arena.readF32(param, 5), [0.88, -2.12, 4.24, 0.02, 8], 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      });
    });

    it(`${impl}: the first Adam step moves each weight by lr·sign(g) (bias correction undoes the EMA)`, () => {
      const c0 = core(variant);
      c0.arena.scope(() => {
        const n = 9;
        const theta0 = uniform(rng(5), n);
        const g = Float32Array.from([3, -0.001, 250, -7, 1e-3, 42, -42, 0.5, -1e4]);
        const param = c0.arena.fromF32(theta0);
        adamUpdate(c0, {
          n, param, grad: c0.arena.fromF32(g), expAvg: c0.arena.zerosF32(n), expAvgSq: c0.arena.zerosF32(n), step: 1, lr: 0.01,
        }, impl);
        const want = Array.from(theta0, (t, i) => t - 0.01 * Math.sign(g[i]));
        expect(closeness(c0.arena.readF32(param, n), want, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
      });
    });

    it(`${impl}: clipValue clamps to [−c, c] in place, keeps NaN and leaves the rest of memory alone`, () => {
      const c0 = core(variant);
      for (const n of [1, 3, 4, 9, 31]) {
        for (const clip of [0, 1.5, 100]) {
          c0.arena.scope(() => {
            const g = uniform(rng(n), n + 4, -300, 300);
            g[0] = -Infinity;
            if (n > 1) g[n - 1] = NaN;
            if (n > 2) g[1] = Infinity;
            if (n > 3) g[2] = -0;
            const ptr = c0.arena.fromF32(g);
            clipValue(c0, { n, grad: ptr, clip }, impl);
            const want = Float32Array.from(g, (x, i) => (i < n ? Math.min(Math.max(x, -clip), clip) : x));
            expect(bits(c0.arena.readF32(ptr, n + 4))).toEqual(bits(want));
          });
        }
      }
    });
  }
});

describe('optimizer input checks', () => {
  const c0 = core();
  const n = 8;
  const bufs = () => ({
    param: c0.arena.allocF32(n), grad: c0.arena.allocF32(n), expAvg: c0.arena.zerosF32(n), expAvgSq: c0.arena.zerosF32(n),
  });
  /** What SGD, RMSprop and Adagrad share with Adam (they reject Adam's state names). */
  const paramAndGrad = ({ param, grad }: ReturnType<typeof bufs>) => ({ param, grad });

  it('rejects hyper-parameters out of range, non-finite or beyond float32', () => {
    c0.arena.scope(() => {
      const b = bufs();
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, lr: -1 }), 'E_ARGUMENT', /adamUpdate: lr must be a finite float32 >= 0, got -1/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, beta1: 1 }), 'E_ARGUMENT', /beta1 must be a finite float32 in \[0, 1\), got 1/);
      expectEddyError(() => adamwUpdate(c0, { ...b, n, step: 1, beta2: -0.1 }), 'E_ARGUMENT', /adamwUpdate: beta2 must be .* in \[0, 1\)/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, eps: 0 }), 'E_ARGUMENT', /eps must be a finite float32 > 0, got 0/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, eps: 1e-50 }), 'E_ARGUMENT', /eps must be .* > 0, got 1e-50/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, lr: NaN }), 'E_ARGUMENT', /lr must be .*, got NaN/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, lr: 1e39 }), 'E_ARGUMENT', /lr must be a finite float32/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, weightDecay: -0.01 }), 'E_ARGUMENT', /weightDecay must be/);
      expectEddyError(() => rmspropUpdate(c0, { ...paramAndGrad(b), n, squareAvg: b.expAvg, alpha: 1 }), 'E_ARGUMENT', /rmspropUpdate: alpha must be .* in \[0, 1\)/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, dampening: 1.5 }), 'E_ARGUMENT', /sgdUpdate: dampening must be .* in \[0, 1\], got 1.5/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, momentum: -0.9 }), 'E_ARGUMENT', /momentum must be .* >= 0/);
      expectEddyError(() => adagradUpdate(c0, { ...paramAndGrad(b), n, stateSum: b.expAvg, step: 1, lrDecay: -1 }), 'E_ARGUMENT', /adagradUpdate: lrDecay must be/);
      expectEddyError(() => clipValue(c0, { n, grad: b.grad, clip: -1 }), 'E_ARGUMENT', /clipValue: clip must be a finite float32 >= 0, got -1/);
      expectEddyError(() => clipValue(c0, { n, grad: b.grad, clip: Infinity }), 'E_ARGUMENT', /clip must be/);
    });
  });

  it('rejects scalars derived in float64 that overflow float32', () => {
    c0.arena.scope(() => {
      const b = bufs();
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, lr: 3e38, beta1: 0.9 }), 'E_ARGUMENT', /lr \/ \(1 - beta1\^step\) = .* does not fit in float32/);
      expectEddyError(() => adamwUpdate(c0, { ...b, n, step: 1, lr: 1e30, weightDecay: 1e10 }), 'E_ARGUMENT', /1 - lr \* weightDecay/);
    });
  });

  it('rejects a bad step count, flag or impl', () => {
    c0.arena.scope(() => {
      const b = bufs();
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 0 }), 'E_ARGUMENT', /step must be an integer >= 1, got 0/);
      expectEddyError(() => adagradUpdate(c0, { ...paramAndGrad(b), n, stateSum: b.expAvg, step: 1.5 }), 'E_ARGUMENT', /step must be an integer >= 1, got 1.5/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, nesterov: 1 as unknown as boolean }), 'E_ARGUMENT', /nesterov must be a boolean, got 1/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n }, 'fast' as Impl), 'E_ARGUMENT', /impl must be 'simd' or 'scalar', got "fast"/);
      expectEddyError(() => clipValue(c0, { n: -1, grad: b.grad, clip: 1 }), 'E_ARGUMENT', /n must be an integer >= 0, got -1/);
    });
  });

  it('requires a state buffer exactly when its option is on, and PyTorch’s Nesterov conditions', () => {
    c0.arena.scope(() => {
      const b = bufs();
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, momentum: 0.9, first: true }), 'E_ARGUMENT', /momentumBuffer is required when momentum > 0, got none/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, momentumBuffer: b.expAvg }), 'E_ARGUMENT', /momentumBuffer was given but momentum > 0 is off/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, momentum: 0.9, momentumBuffer: b.expAvg }), 'E_ARGUMENT', /first is required when momentum > 0/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, nesterov: true }), 'E_ARGUMENT', /nesterov needs momentum > 0 and dampening = 0, got momentum 0/);
      expectEddyError(
        () => sgdUpdate(c0, { ...paramAndGrad(b), n, nesterov: true, momentum: 0.9, dampening: 0.1, momentumBuffer: b.expAvg, first: true }),
        'E_ARGUMENT', /nesterov needs .* dampening 0.1/,
      );
      expectEddyError(() => rmspropUpdate(c0, { ...paramAndGrad(b), n, squareAvg: b.expAvg, momentum: 0.5 }), 'E_ARGUMENT', /rmspropUpdate: momentumBuffer is required/);
    });
  });

  it('rejects pointers outside memory, misaligned, below the arena, or overlapping another buffer', () => {
    c0.arena.scope(() => {
      const b = bufs();
      const end = c0.memory.buffer.byteLength;
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, expAvgSq: end - 16 }), 'E_POINTER', /adamUpdate: expAvgSq spans bytes/);
      expectEddyError(() => adamUpdate(c0, { ...b, n, step: 1, maxExpAvgSq: b.param + 2 }), 'E_POINTER', /maxExpAvgSq must be 4-byte aligned/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, grad: 0 }), 'E_POINTER', /grad = 0 points below the arena/);
      expectEddyError(() => sgdUpdate(c0, { ...paramAndGrad(b), n, grad: b.param }), 'E_POINTER', /param must not overlap grad/);
      expectEddyError(
        () => rmspropUpdate(c0, { ...paramAndGrad(b), n, squareAvg: b.expAvg, gradAvg: b.expAvg + 28 }),
        'E_POINTER', /squareAvg must not overlap gradAvg/,
      );
      expectEddyError(() => adagradUpdate(c0, { ...paramAndGrad(b), n, stateSum: undefined as unknown as number, step: 1 }), 'E_POINTER', /stateSum must be a byte offset/);
    });
  });

  it('does nothing for n = 0, whatever the pointers', () => {
    expect(() => sgdUpdate(c0, { n: 0, param: 0, grad: 0 })).not.toThrow();
  });
});
