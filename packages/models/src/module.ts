import { EddyError, Tensor, type Shape } from '@eddy/autograd';
import { boolOption, checkOptions, withoutInitialDraws } from '@eddy/autograd/internal';
import { describe, fail } from './errors.js';

/**
 * A module's architecture as plain JSON: `type` names a class registered with `Module.register`,
 * the other keys are that class's constructor options with every default filled in. Weights are
 * not part of it (they travel as a state dict, e.g. in safetensors).
 */
export interface ModuleConfig {
  type: string;
  [option: string]: unknown;
}

/** Builds a module from its config's options (the config without `type`). */
export type ModuleFactory = (options: Record<string, unknown>) => Module;

export interface LoadStateDictOptions {
  /** Default true: missing and unexpected keys are errors. Shape mismatches are errors either way. */
  strict?: boolean;
}

/** What `loadStateDict` did not match (both empty after a strict load). */
export interface LoadStateDictResult {
  /** Parameters of the module that the dict has no entry for (left unchanged). */
  missingKeys: string[];
  /** Entries of the dict that name no parameter (ignored). */
  unexpectedKeys: string[];
}

/** One key whose tensor does not fit the parameter of that name. */
export interface MismatchedKey {
  key: string;
  /** The parameter's shape. */
  expected: Shape;
  /** The dict's tensor's shape. */
  got: Shape;
  /** Set when the dtypes differ too (parameters are float32). */
  gotDtype?: string;
}

/**
 * Thrown by `loadStateDict` (code `E_STATE_DICT`): names every missing, unexpected and mis-shaped
 * key at once, so one run shows the whole difference between a checkpoint and a model.
 */
export class StateDictError extends EddyError<'E_STATE_DICT'> {
  readonly missingKeys: string[];
  readonly unexpectedKeys: string[];
  readonly mismatchedKeys: MismatchedKey[];
  constructor(missingKeys: string[], unexpectedKeys: string[], mismatchedKeys: MismatchedKey[]) {
    const parts: string[] = [];
    if (missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.map((k) => JSON.stringify(k)).join(', ')}`);
    if (unexpectedKeys.length > 0) parts.push(`unexpected keys: ${unexpectedKeys.map((k) => JSON.stringify(k)).join(', ')}`);
    if (mismatchedKeys.length > 0) {
      const shown = mismatchedKeys.map((m) => {
        const dtype = m.gotDtype === undefined ? '' : ` (${m.gotDtype}, expected float32)`;
        return `${JSON.stringify(m.key)}: expected [${m.expected.join(', ')}], got [${m.got.join(', ')}]${dtype}`;
      });
      parts.push(`mismatched keys: ${shown.join('; ')}`);
    }
    super('E_STATE_DICT', `loadStateDict: the state dict does not fit the module; ${parts.join('; ')}`);
    this.name = 'StateDictError';
    this.missingKeys = missingKeys;
    this.unexpectedKeys = unexpectedKeys;
    this.mismatchedKeys = mismatchedKeys;
  }
}

const registry = new Map<string, ModuleFactory>();

/**
 * The base of every layer and model, with PyTorch's `nn.Module` semantics.
 *
 * A subclass registers its parameters and submodules in its constructor, in the order PyTorch
 * declares them, with `registerParameter(name, tensor)` and `registerModule(name, module)`.
 * `namedParameters()` then yields dotted names exactly as PyTorch's `named_parameters()`: a
 * module's own parameters first, in registration order, then each submodule's, prefixed by its
 * name (`encoder.weight_ih_l0`, `0.weight` in a Sequential).
 *
 * Lifetimes: parameters are leaf tensors that the user's program creates outside every autograd
 * `scope()`, so they (and their `.grad`, allocated beside them) live until `dispose()`. Build
 * modules outside `scope()`; run forward and backward inside one. A module built inside a scope
 * has its parameters freed when the scope ends (using them then throws E_SCOPE), unless the scope returns it.
 *
 * @example
 * class TwoLayer extends Module {
 *   readonly fc1 = this.registerModule('fc1', new Linear({ inFeatures: 4, outFeatures: 8 }));
 *   readonly fc2 = this.registerModule('fc2', new Linear({ inFeatures: 8, outFeatures: 1 }));
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).tanh()); }
 *   toConfig(): ModuleConfig { return { type: 'TwoLayer' }; }
 * }
 * Module.register('TwoLayer', () => new TwoLayer());
 * new TwoLayer().namedParameters().map(([name]) => name); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 */
export abstract class Module {
  /** True in training mode (dropout active), false after `eval()`. Set with `train()` / `eval()`. */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly ownModules = new Map<string, Module>();

  /** The architecture as plain JSON; `Module.fromConfig(m.toConfig())` rebuilds it (new weights). */
  abstract toConfig(): ModuleConfig;

  /**
   * Registers `tensor` as parameter `name` (no dots, unique within this module) and returns it.
   * The tensor must be a live float32 leaf; it is marked `requiresGrad`. Call in the order PyTorch
   * declares the parameters: that order is the order of `parameters()` and of the state dict.
   */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    this.checkName('registerParameter', name);
    if (!(tensor instanceof Tensor)) throw fail('E_ARGUMENT', `registerParameter: parameter ${JSON.stringify(name)} must be a Tensor, got ${describe(tensor)}`);
    tensor.check('registerParameter');
    if (tensor.dtype !== 'float32') throw fail('E_ARGUMENT', `registerParameter: parameter ${JSON.stringify(name)} must be float32, got ${tensor.dtype}`);
    if (!tensor.isLeaf) throw fail('E_ARGUMENT', `registerParameter: parameter ${JSON.stringify(name)} must be a leaf tensor (not the result of an operation); detach() it first`);
    if (!tensor.requiresGrad) tensor.setRequiresGrad(true);
    this.ownParameters.set(name, tensor);
    return tensor;
  }

  /** Registers `module` as submodule `name` (no dots, unique within this module) and returns it. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.checkName('registerModule', name);
    if (!(module instanceof Module)) throw fail('E_ARGUMENT', `registerModule: submodule ${JSON.stringify(name)} must be a Module, got ${describe(module)}`);
    if ((module as Module) === (this as Module)) throw fail('E_ARGUMENT', `registerModule: a module cannot contain itself (${JSON.stringify(name)})`);
    this.ownModules.set(name, module);
    return module;
  }

  private checkName(op: string, name: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw fail('E_ARGUMENT', `${op}: name must be a non-empty string without ".", got ${describe(name)}`);
    }
    if (this.ownParameters.has(name) || this.ownModules.has(name)) {
      throw fail('E_ARGUMENT', `${op}: ${JSON.stringify(name)} is already registered on this ${this.constructor.name}`);
    }
  }

  /**
   * Every parameter with its dotted name (PyTorch's `named_parameters()`): own parameters first,
   * then each submodule's in registration order. A tensor registered under two names (tied
   * weights) is listed once, under the first.
   */
  namedParameters(): Array<[string, Tensor]> {
    const seen = new Set<Tensor>();
    return this.allParameters('').filter(([, t]) => (seen.has(t) ? false : (seen.add(t), true)));
  }

  /** The parameters, in `namedParameters()` order: what an optimizer takes. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Total number of parameter values (tied tensors counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, t) => n + t.size, 0);
  }

  private allParameters(prefix: string): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [name, t] of this.ownParameters) out.push([prefix + name, t]);
    for (const [name, m] of this.ownModules) out.push(...m.allParameters(`${prefix}${name}.`));
    return out;
  }

  /** Direct submodules with their names, in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.ownModules];
  }

  /** Direct submodules, in registration order. */
  children(): Module[] {
    return [...this.ownModules.values()];
  }

  /** This module (name '') and every module below it, depth first, with dotted names. */
  namedModules(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [['', this]];
    for (const [name, m] of this.ownModules) for (const [sub, mm] of m.namedModules()) out.push([sub === '' ? name : `${name}.${sub}`, mm]);
    return out;
  }

  /** This module and every module below it, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Parameter name → tensor, every name included (tied weights appear under each name, as in
   * PyTorch's `state_dict()`), in `namedParameters()` order.
   *
   * The tensors are the parameters themselves, not copies (PyTorch's state dict shares storage
   * too): saving (`saveSafetensors`) reads them without a copy, and they must not be disposed.
   * Take a snapshot with autograd's `detach(t)` when one is needed.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.allParameters('')) define(out, name, t);
    return out;
  }

  /**
   * Copies values from `dict` into the parameters of the same names, in place (optimizers keep
   * their references). All checks run before anything is written: either every key loads or none.
   *
   * With `strict` (default true), missing and unexpected keys throw a `StateDictError` (code
   * E_STATE_DICT) that lists every missing, unexpected and mis-shaped key with both shapes. With
   * `strict: false` they are returned instead; a shape (or dtype) mismatch throws either way, as
   * in PyTorch. The dict's tensors are only read: dispose them afterwards if nothing else uses them.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
      throw fail('E_ARGUMENT', `loadStateDict: dict must be an object of name → Tensor, got ${describe(dict)}`);
    }
    checkOptions('loadStateDict', options, ['strict']);
    const strict = options.strict ?? true;
    if (typeof strict !== 'boolean') throw fail('E_ARGUMENT', `loadStateDict: strict must be true or false, got ${describe(strict)}`);

    const own = this.allParameters('');
    const ownNames = new Set(own.map(([n]) => n));
    const missingKeys: string[] = [];
    const mismatchedKeys: MismatchedKey[] = [];
    for (const [name, param] of own) {
      if (!Object.prototype.hasOwnProperty.call(dict, name)) {
        missingKeys.push(name);
        continue;
      }
      const src = dict[name];
      if (!(src instanceof Tensor)) throw fail('E_ARGUMENT', `loadStateDict: entry ${JSON.stringify(name)} must be a Tensor, got ${describe(src)}`);
      src.check('loadStateDict');
      const shapeOk = src.shape.length === param.shape.length && src.shape.every((d, i) => d === param.shape[i]);
      if (!shapeOk || src.dtype !== 'float32') {
        mismatchedKeys.push({ key: name, expected: param.shape, got: src.shape, ...(src.dtype !== 'float32' ? { gotDtype: src.dtype } : {}) });
      }
    }
    const unexpectedKeys = Object.keys(dict).filter((k) => !ownNames.has(k));
    if (mismatchedKeys.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      throw new StateDictError(missingKeys, unexpectedKeys, mismatchedKeys);
    }
    const missing = new Set(missingKeys);
    for (const [name, param] of own) if (!missing.has(name)) param.copyFrom(dict[name]);
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode (`true`) or evaluation mode (`false`) on this module and every module below. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw fail('E_ARGUMENT', `train: mode must be true or false, got ${describe(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Fills every parameter's gradient with zeros in place (memory stays flat across steps). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Frees every parameter (and its gradient) now; the module is unusable afterwards. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
  }

  /**
   * Makes `Module.fromConfig({ type, … })` build `type` with `factory`. Each built-in class
   * registers itself when its file is loaded; registering a taken name with another factory throws.
   */
  static register(type: string, factory: ModuleFactory): void {
    if (typeof type !== 'string' || type === '') throw fail('E_ARGUMENT', `Module.register: type must be a non-empty string, got ${describe(type)}`);
    if (typeof factory !== 'function') throw fail('E_ARGUMENT', `Module.register: factory for ${JSON.stringify(type)} must be a function`);
    const existing = registry.get(type);
    if (existing !== undefined && existing !== factory) throw fail('E_ARGUMENT', `Module.register: type ${JSON.stringify(type)} is already registered`);
    registry.set(type, factory);
  }

  /** The types `fromConfig` can build, sorted. */
  static registeredTypes(): string[] {
    return [...registry.keys()].sort();
  }

  /**
   * Builds a module from `toConfig()`'s JSON (fresh weights; load a state dict for trained ones).
   * Unknown types and unknown or invalid options throw E_ARGUMENT. Called on a subclass
   * (`Linear.fromConfig(c)`), the result must be an instance of it. With `{ init: false }` no
   * initial weight is drawn (random initialisers leave parameters at 0 and the RNG does not
   * advance): for a module whose state dict is loaded next, which is then much faster to build.
   */
  static fromConfig<M extends Module>(this: abstract new (...args: never[]) => M, config: ModuleConfig, how: { init?: boolean } = {}): M {
    const draw = boolOption('fromConfig', 'init', checkOptions('fromConfig', how, ['init']).init, true);
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw fail('E_ARGUMENT', `fromConfig: config must be an object with a "type", got ${describe(config)}`);
    }
    const { type, ...options } = config;
    const factory = typeof type === 'string' ? registry.get(type) : undefined;
    if (factory === undefined) {
      throw fail('E_ARGUMENT', `fromConfig: unknown module type ${describe(type)}; registered: ${Module.registeredTypes().join(', ')}`);
    }
    const module = draw ? factory(options) : withoutInitialDraws(() => factory(options));
    if (!(module instanceof this)) throw fail('E_ARGUMENT', `fromConfig: a ${type} config does not build a ${this.name}`);
    return module;
  }
}

/** Sets a key as an own data property (a key named "__proto__" must not change the prototype). */
export function define<T>(out: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}
