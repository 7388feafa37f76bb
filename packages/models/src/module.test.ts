import { EddyError, manualSeed, optim, randn, scope, tensor, zeros, type Tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { checkOptions } from '@eddy/autograd/internal';
import { Dropout } from './layers/dropout.js';
import { Embedding } from './layers/embedding.js';
import { Linear } from './layers/linear.js';
import { Sequential } from './layers/sequential.js';
import { Module, StateDictError, type ModuleConfig } from './module.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

/** A model shaped like a PyTorch seq2seq toy, to check names against what PyTorch prints. */
class Toy extends Module {
  readonly scale: Tensor;
  readonly embed: Embedding;
  readonly head: Sequential;
  constructor() {
    super();
    this.scale = this.registerParameter('scale', zeros([1]));
    this.embed = this.registerModule('embed', new Embedding({ numEmbeddings: 5, embeddingDim: 3 }));
    this.head = this.registerModule('head', new Sequential(new Linear({ inFeatures: 3, outFeatures: 4 }), new Dropout(), new Sequential(new Linear({ inFeatures: 4, outFeatures: 2, bias: false }))));
  }
  toConfig(): ModuleConfig {
    return { type: 'Toy' };
  }
}
Module.register('Toy', (options) => {
  checkOptions('Toy', options, []);
  return new Toy();
});

const throws = (fn: () => unknown, code: string, message: RegExp): void =>
  expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));

const values = (t: Tensor): number[] => Array.from(t.toArray());

describe('names and order', () => {
  test('dotted names as PyTorch’s named_parameters: own first, then submodules in order', () => {
    // torch: nn.Module with scale, embed=nn.Embedding, head=nn.Sequential(Linear, Dropout, Sequential(Linear(bias=False)))
    const m = new Toy();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'embed.weight', 'head.0.weight', 'head.0.bias', 'head.2.0.weight']);
    expect(m.parameters()).toEqual(m.namedParameters().map(([, t]) => t));
    expect(m.parameters()[2].shape).toEqual([4, 3]);
    expect(m.numParameters()).toBe(1 + 15 + 12 + 4 + 8);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'embed', 'head', 'head.0', 'head.1', 'head.2', 'head.2.0']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['embed', 'head']);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    m.dispose();
  });

  test('tied weights: listed once by parameters(), under every name in the state dict', () => {
    class Tied extends Module {
      constructor() {
        super();
        this.registerParameter('a', zeros([2, 2]));
        this.registerModule('inner', new Linear({ inFeatures: 2, outFeatures: 2, bias: false }));
        this.registerParameter('b', (this.children()[0] as Linear).weight);
      }
      toConfig(): ModuleConfig {
        return { type: 'Tied' };
      }
    }
    const m = new Tied();
    // PyTorch: own parameters first, so the shared tensor is named "b" and inner.weight is skipped.
    expect(m.namedParameters().map(([n]) => n)).toEqual(['a', 'b']);
    expect(Object.keys(m.stateDict())).toEqual(['a', 'b', 'inner.weight']);
    m.dispose();
  });

  test('registration errors: dots, duplicates, non-tensors, int32, non-leaves', () => {
    class Bad extends Module {
      toConfig(): ModuleConfig {
        return { type: 'Bad' };
      }
      reg(name: string, t: unknown): void {
        this.registerParameter(name, t as Tensor);
      }
      sub(name: string, m: unknown): void {
        this.registerModule(name, m as Module);
      }
    }
    scope(() => {
      const b = new Bad();
      b.reg('w', zeros([1]));
      throws(() => b.reg('a.b', zeros([1])), 'E_ARGUMENT', /without "\."/);
      throws(() => b.reg('', zeros([1])), 'E_ARGUMENT', /non-empty/);
      throws(() => b.reg('w', zeros([1])), 'E_ARGUMENT', /"w" is already registered on this Bad/);
      throws(() => b.sub('w', new Dropout()), 'E_ARGUMENT', /already registered/);
      throws(() => b.reg('x', [1]), 'E_ARGUMENT', /must be a Tensor, got \[1\]/);
      throws(() => b.reg('x', zeros([1], { dtype: 'int32' })), 'E_ARGUMENT', /must be float32, got int32/);
      const leaf = zeros([1], { requiresGrad: true });
      throws(() => b.reg('x', leaf.add(1)), 'E_ARGUMENT', /must be a leaf/);
      throws(() => b.sub('m', {}), 'E_ARGUMENT', /must be a Module/);
      throws(() => b.sub('self', b), 'E_ARGUMENT', /cannot contain itself/);
    });
  });
});

describe('state dicts', () => {
  test('stateDict returns the parameters themselves; loadStateDict copies in place', () => {
    manualSeed(1);
    const a = new Toy();
    const b = new Toy();
    const sd = a.stateDict();
    expect(sd['head.0.weight']).toBe(a.head.at(0) instanceof Linear ? (a.head.at(0) as Linear).weight : null);
    const before = b.parameters();
    const opt = new optim.SGD(b.parameters(), { lr: 0.1 });
    expect(b.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.parameters()).toEqual(before); // same tensor objects: the optimizer still holds them
    expect(opt.params[1]).toBe(b.embed.weight);
    for (const [name, t] of b.namedParameters()) expect(values(t), name).toEqual(values(sd[name]));
    a.dispose();
    b.dispose();
  });

  test('strict mode names every missing, unexpected and mis-shaped key with both shapes, and writes nothing', () => {
    const m = new Toy();
    const snapshot = m.parameters().map(values);
    scope(() => {
      const dict: Record<string, Tensor> = {
        scale: tensor([5]),
        'embed.weight': zeros([6, 3]),
        'head.0.weight': zeros([4, 3]),
        'head.0.bias': zeros([4], { dtype: 'int32' }),
        'head.2.weight': zeros([2, 4]),
        extra: zeros([1]),
      };
      throws(() => m.loadStateDict(dict), 'E_STATE_DICT', /missing keys: "head\.2\.0\.weight"; unexpected keys: "head\.2\.weight", "extra"; mismatched keys: "embed\.weight": expected \[5, 3\], got \[6, 3\]; "head\.0\.bias": expected \[4\], got \[4\] \(int32, expected float32\)/);
      const e = (() => {
        try {
          m.loadStateDict(dict);
        } catch (error) {
          return error;
        }
      })() as StateDictError;
      expect(e).toBeInstanceOf(StateDictError);
      expect(e).toBeInstanceOf(EddyError);
      expect(e.missingKeys).toEqual(['head.2.0.weight']);
      expect(e.unexpectedKeys).toEqual(['head.2.weight', 'extra']);
      expect(e.mismatchedKeys.map((k) => [k.key, k.expected, k.got])).toEqual([
        ['embed.weight', [5, 3], [6, 3]],
        ['head.0.bias', [4], [4]],
      ]);
    });
    expect(m.parameters().map(values)).toEqual(snapshot);
    m.dispose();
  });

  test('non-strict returns missing and unexpected keys and loads the rest; shape mismatches still throw', () => {
    const m = new Toy();
    scope(() => {
      const result = m.loadStateDict({ scale: tensor([5]), 'embed.weight': tensor(new Float32Array(15).fill(2), [5, 3]), stray: zeros([2]) }, { strict: false });
      expect(result).toEqual({ missingKeys: ['head.0.weight', 'head.0.bias', 'head.2.0.weight'], unexpectedKeys: ['stray'] });
      expect(values(m.scale)).toEqual([5]);
      expect(values(m.embed.weight)).toEqual(new Array(15).fill(2));
      throws(() => m.loadStateDict({ scale: zeros([2]) }, { strict: false }), 'E_STATE_DICT', /"scale": expected \[1\], got \[2\]/);
      throws(() => m.loadStateDict({}, { strict: 'no' as unknown as boolean }), 'E_ARGUMENT', /strict must be true or false/);
      throws(() => m.loadStateDict({}, { stric: false } as never), 'E_ARGUMENT', /unknown option "stric"/);
      throws(() => m.loadStateDict({ scale: [1] as unknown as Tensor }), 'E_ARGUMENT', /entry "scale" must be a Tensor/);
    });
    m.dispose();
  });

  test('a state dict survives a safetensors round trip into a fresh model', () => {
    manualSeed(2);
    const a = new Toy();
    const b = Module.fromConfig(a.toConfig());
    const bytes = saveSafetensors(a.stateDict());
    scope(() => {
      b.loadStateDict(loadSafetensors(bytes));
    });
    expect(b.parameters().map(values)).toEqual(a.parameters().map(values));
    a.dispose();
    b.dispose();
  });
});

describe('modes, gradients, lifetimes, configs', () => {
  test('train()/eval() reach every submodule', () => {
    const m = new Toy();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    throws(() => m.train(0 as unknown as boolean), 'E_ARGUMENT', /mode must be true or false/);
    m.dispose();
  });

  test('parameters made outside scopes survive training steps inside them; zeroGrad zeroes in place', () => {
    manualSeed(3);
    const net = new Sequential(new Linear({ inFeatures: 3, outFeatures: 5 }), new Linear({ inFeatures: 5, outFeatures: 1 }));
    const x = randn([4, 3]);
    for (let step = 0; step < 3; step++) {
      scope(() => {
        net.forward(x).tanh().sum().backward();
      });
    }
    const grads = net.parameters().map((p) => p.grad!);
    expect(grads.every((g) => g !== null && values(g).some((v) => v !== 0))).toBe(true);
    net.zeroGrad();
    expect(net.parameters().map((p) => p.grad)).toEqual(grads);
    expect(grads.every((g) => values(g).every((v) => v === 0))).toBe(true);
    net.dispose();
    x.dispose();
  });

  test('a module built inside a scope is freed with it, unless the scope returns it', () => {
    let dropped!: Linear;
    const net = scope(() => {
      dropped = new Linear({ inFeatures: 2, outFeatures: 2 });
      // scope searches what it returns to any depth, class instances included: the parameters stay.
      return { inner: new Linear({ inFeatures: 2, outFeatures: 2 }) };
    }).inner;
    throws(() => dropped.forward(tensor([[1, 2]])), 'E_SCOPE', /freed/);
    expect(net.forward(tensor([[1, 2]])).shape).toEqual([1, 2]);
    net.dispose();
  });

  test('fromConfig: unknown types, wrong subclass, bad configs', () => {
    throws(() => Module.fromConfig({ type: 'Lineer' }), 'E_ARGUMENT', /unknown module type "Lineer"; registered: .*Linear/);
    throws(() => Module.fromConfig(null as unknown as ModuleConfig), 'E_ARGUMENT', /config must be an object/);
    throws(() => Linear.fromConfig({ type: 'Dropout', p: 0.1 }), 'E_ARGUMENT', /a Dropout config does not build a Linear/);
    throws(() => Module.fromConfig({ type: 'Toy', extra: 1 }), 'E_ARGUMENT', /unknown option "extra"/);
    throws(() => Module.register('Linear', () => new Dropout()), 'E_ARGUMENT', /already registered/);
    expect(Module.registeredTypes()).toEqual(expect.arrayContaining(['Dropout', 'Embedding', 'Linear', 'Sequential']));
    const d = Dropout.fromConfig({ type: 'Dropout', p: 0.3 });
    expect(d).toBeInstanceOf(Dropout);
    expect(d.p).toBe(0.3);
  });
});
