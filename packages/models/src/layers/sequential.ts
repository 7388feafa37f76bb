import type { Tensor } from '@eddy/autograd';
import { checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';

/** A module with a one-argument forward: what Sequential chains. */
interface Forward {
  forward(input: unknown): unknown;
}

/**
 * Modules applied in turn (PyTorch's `nn.Sequential`): y = fₙ(…f₂(f₁(x))). The children are
 * registered as "0", "1", …, so parameter names are `0.weight`, `0.bias`, `2.weight`, … exactly
 * as PyTorch names them.
 *
 * Input: whatever the first module takes; output: what the last one returns.
 *
 * @example
 * const mlp = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8 }), new Dropout({ p: 0.1 }),
 *                            new Linear({ inFeatures: 8, outFeatures: 2 }));
 * mlp.namedParameters().map(([n]) => n); // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module) || typeof (m as unknown as Partial<Forward>).forward !== 'function') {
        throw fail('E_ARGUMENT', `Sequential: module ${i} must be a Module with a forward method, got ${describe(m)}`);
      }
      this.registerModule(String(i), m);
    });
    this.layers = modules;
  }

  /** Number of modules. */
  get length(): number {
    return this.layers.length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const m = Number.isInteger(i) ? this.layers.at(i) : undefined;
    if (m === undefined) throw fail('E_ARGUMENT', `Sequential.at: index must be an integer in [${-this.length}, ${this.length}), got ${describe(i)}`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let y: unknown = x;
    for (const m of this.layers) y = (m as unknown as Forward).forward(y);
    return y as Tensor;
  }

  toConfig(): ModuleConfig {
    return { type: 'Sequential', modules: this.layers.map((m) => m.toConfig()) };
  }
}

Module.register('Sequential', (options) => {
  const o = checkOptions('Sequential', options, ['modules']);
  if (!Array.isArray(o.modules)) throw fail('E_ARGUMENT', `Sequential: modules must be an array of module configs, got ${describe(o.modules)}`);
  return new Sequential(...o.modules.map((c: ModuleConfig) => Module.fromConfig(c)));
});
