import { concat, detach, EddyError, gradcheck, manualSeed, optim, randn, scope, tensor, type Tensor } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import type { ModuleConfig } from '../module.js';
import { BuiltModules } from '../test/modules.js';
import type { AttentionBase } from './attention.js';
import { BahdanauAttention, LuongAttention } from './index.js';

// Attention beyond parity: gradients by central differences (masks included), exact masking
// (a padded batch equals its sequences one by one, whatever the padding holds), projected keys,
// options, errors and a learning check.

const built = new BuiltModules();
const CONFIGS: ModuleConfig[] = [
  { type: 'BahdanauAttention', hiddenSize: 4, keySize: 3 },
  { type: 'LuongAttention', score: 'dot', hiddenSize: 4, keySize: 4 },
  { type: 'LuongAttention', score: 'general', hiddenSize: 4, keySize: 3 },
  { type: 'LuongAttention', score: 'concat', hiddenSize: 4, keySize: 3 },
];
const name = (c: ModuleConfig): string => `${c.type}${c.score === undefined ? '' : ` ${String(c.score)}`}`;

describe('attention', () => {
  it.each(CONFIGS.map((c) => [name(c), c] as const))('%s: gradcheck w.r.t. query, keys and every parameter, with lengths', (_, config) => {
    manualSeed(7);
    const m = built.make<AttentionBase>(config);
    scope(() => {
      const query = randn([3, 4]).setRequiresGrad(true);
      const keys = randn([5, 3, m.keySize]).setRequiresGrad(true);
      for (const lengths of [[5, 2, 4], null]) {
        const r = gradcheck(() => {
          const { context, weights } = m.forward(query, keys, { lengths });
          return concat([context.reshape([-1]), weights.reshape([-1])], 0);
        }, [query, keys, ...m.parameters()]);
        expect(r.ok, JSON.stringify(r.mismatches)).toBe(true);
      }
    });
  });

  it.each(CONFIGS.map((c) => [name(c), c] as const))('%s: a padded batch equals its sequences one by one, whatever the padding holds', (_, config) => {
    manualSeed(8);
    const m = built.make<AttentionBase>(config);
    const lengths = [5, 2, 4, 1];
    const [S, B, Hk] = [5, 4, m.keySize];
    for (const padding of [0, 1e30, -3e38]) {
      scope(() => {
        const keyValues = randn([S, B, Hk]).toFloat32Array();
        for (let s = 0; s < S; s++) for (let b = 0; b < B; b++) if (s >= lengths[b]) keyValues.fill(padding, (s * B + b) * Hk, (s * B + b + 1) * Hk);
        const keys = tensor(keyValues, [S, B, Hk]).setRequiresGrad(true);
        const query = randn([B, 4]).setRequiresGrad(true);
        const projectedKeys = m.projectKeys(keys, { lengths });
        const batch = m.forward(query, keys, { lengths, projectedKeys });
        const rc = randn([B, Hk]);
        const rw = randn([B, S]);
        batch.context.mul(rc).sum().add(batch.weights.mul(rw).sum()).backward();
        const grads = { keys: keys.grad!.toArray(), query: query.grad!.toArray(), params: m.parameters().map((p) => p.grad!.toArray()) };
        for (const p of m.parameters()) p.grad = null;
        const w = batch.weights.toArray(), ctx = batch.context.toArray();
        const sumParams = m.parameters().map((p) => new Float64Array(p.size));
        for (let b = 0; b < B; b++) {
          const n = lengths[b];
          const kb = detach(keys.slice(0, 0, n).slice(1, b, b + 1)).setRequiresGrad(true);
          const qb = detach(query.slice(0, b, b + 1)).setRequiresGrad(true);
          const one = m.forward(qb, kb);
          one.context.mul(rc.slice(0, b, b + 1)).sum().add(one.weights.mul(rw.slice(0, b, b + 1).slice(1, 0, n)).sum()).backward();
          const ow = one.weights.toArray(), oc = one.context.toArray();
          for (let s = 0; s < S; s++) expect(w[b * S + s], `weights[${b}, ${s}]`).toBeCloseTo(s < n ? ow[s] : 0, 6);
          for (let s = n; s < S; s++) expect(w[b * S + s]).toBe(0);
          for (let j = 0; j < Hk; j++) expect(ctx[b * Hk + j]).toBeCloseTo(oc[j], 5);
          const gk = kb.grad!.toArray();
          for (let s = 0; s < S; s++) {
            for (let j = 0; j < Hk; j++) {
              const got = grads.keys[(s * B + b) * Hk + j];
              if (s < n) expect(got).toBeCloseTo(gk[s * Hk + j], 5);
              else expect(got).toBe(0);
            }
          }
          const gq = qb.grad!.toArray();
          for (let j = 0; j < 4; j++) expect(grads.query[b * 4 + j]).toBeCloseTo(gq[j], 5);
          m.parameters().forEach((p, i) => {
            p.grad!.toArray().forEach((v, j) => (sumParams[i][j] += v));
            p.grad = null;
          });
        }
        sumParams.forEach((want, i) => want.forEach((v, j) => expect(grads.params[i][j]).toBeCloseTo(v, 4)));
      });
    }
  });

  it('projectedKeys gives the same numbers as projecting in the call, and is checked', () => {
    manualSeed(9);
    const m = built.make<AttentionBase>(CONFIGS[0]);
    scope(() => {
      const keys = randn([5, 2, 3]);
      const query = randn([2, 4]);
      const a = m.forward(query, keys);
      const b = m.forward(query, keys, { projectedKeys: m.projectKeys(keys) });
      expect(b.context.toArray()).toEqual(a.context.toArray());
      expect(b.weights.toArray()).toEqual(a.weights.toArray());
      expect(() => m.forward(query, keys, { projectedKeys: randn([5, 2, 3]) })).toThrow(/projectedKeys must have shape/);
    });
  });

  it.each(CONFIGS.map((c) => [name(c), c] as const))('%s: prepare with paddingIsZero on zero-padded keys equals masking them, values and gradients', (_, config) => {
    manualSeed(10);
    const m = built.make<AttentionBase>(config);
    const lengths = [4, 2, 3];
    const [S, B, Hk] = [4, 3, m.keySize];
    scope(() => {
      const keyValues = randn([S, B, Hk]).toFloat32Array();
      for (let s = 0; s < S; s++) for (let b = 0; b < B; b++) if (s >= lengths[b]) keyValues.fill(0, (s * B + b) * Hk, (s * B + b + 1) * Hk);
      const query = randn([B, 4]);
      const rc = randn([B, Hk]);
      const rw = randn([B, S]);
      const run = (paddingIsZero: boolean): Array<Float32Array | Int32Array> => {
        const keys = tensor(keyValues, [S, B, Hk]).setRequiresGrad(true);
        const q = detach(query).setRequiresGrad(true);
        const { context, weights } = m.attend(q, m.prepare(keys, { lengths, paddingIsZero }));
        context.mul(rc).sum().add(weights.mul(rw).sum()).backward();
        const out = [context.toArray(), weights.toArray(), keys.grad!.toArray(), q.grad!.toArray(), ...m.parameters().map((p) => p.grad!.toArray())];
        for (const p of m.parameters()) p.grad = null;
        return out;
      };
      expect(run(true)).toEqual(run(false));
    });
    expect(() => m.prepare(randn([S, B, Hk]), { lengths, paddingIsZero: 1 as never })).toThrow(/paddingIsZero/);
  });

  it('toConfig / fromConfig round-trips; names are the tutorials\'', () => {
    for (const config of CONFIGS) expect(built.make<AttentionBase>(config).toConfig()).toEqual(config);
    expect(built.make<AttentionBase>(CONFIGS[0]).namedParameters().map(([n]) => n)).toEqual(['Wa.weight', 'Wa.bias', 'Ua.weight', 'Ua.bias', 'Va.weight', 'Va.bias']);
    expect(built.make<AttentionBase>(CONFIGS[1]).namedParameters()).toEqual([]);
    expect(built.make<AttentionBase>(CONFIGS[3]).namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['v', [4]], ['attn.weight', [4, 7]], ['attn.bias', [4]]]);
    const d = new BahdanauAttention({ hiddenSize: 5 });
    built.push(d);
    expect(d.keySize).toBe(5);
  });

  it('refuses bad options and inputs with typed errors naming them', () => {
    const m = new LuongAttention({ score: 'general', hiddenSize: 4, keySize: 3 });
    built.push(m);
    const bad: Array<[() => unknown, string, RegExp]> = [
      [() => new LuongAttention({ score: 'dot', hiddenSize: 4, keySize: 3 }), 'E_ARGUMENT', /'dot' needs keySize = hiddenSize = 4/],
      [() => new LuongAttention({ score: 'additive' as never, hiddenSize: 4 }), 'E_ARGUMENT', /score/],
      [() => new LuongAttention({ hiddenSize: 4 } as never), 'E_ARGUMENT', /score is required/],
      [() => new BahdanauAttention({ hiddenSize: 4, keysize: 3 } as never), 'E_ARGUMENT', /keysize/],
      [() => scope(() => m.forward(randn([2, 4]), randn([5, 2, 4]))), 'E_SHAPE', /keys must have shape \[S, B, keySize = 3\]/],
      [() => scope(() => m.forward(randn([3, 4]), randn([5, 2, 3]))), 'E_SHAPE', /query must have shape/],
      [() => scope(() => m.forward(randn([2, 4]), randn([5, 2, 3]), { lengths: [5, 0] })), 'E_ARGUMENT', /lengths\[1\] must be an integer in \[1, S = 5\]/],
      [() => scope(() => m.forward(randn([2, 4]), randn([5, 2, 3]), { lengths: [5, 6] })), 'E_ARGUMENT', /lengths\[1\]/],
      [() => scope(() => m.forward(randn([2, 4]), randn([5, 2, 3]), { lengths: [5] })), 'E_SHAPE', /B = 2 entries/],
      [() => scope(() => m.forward(randn([2, 4]), randn([5, 2, 3]), { lenghts: [5, 2] } as never)), 'E_ARGUMENT', /lenghts/],
    ];
    for (const [fn, code, message] of bad) {
      let error: unknown;
      try { fn(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(EddyError);
      expect((error as EddyError).code).toBe(code);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('BahdanauAttention learns to point at the key equal to the query', () => {
    const config = CONFIGS[0];
    // S = 6 random keys per sequence (ragged lengths), the query a noisy copy of one of them mapped
    // into the query space by a fixed random matrix: the module must learn to invert that map.
    manualSeed(12);
    const H = 4;
    const m = built.make<AttentionBase>({ ...config, hiddenSize: H, keySize: 3 });
    const opt = new optim.Adam(m.parameters(), { lr: 0.05 });
    const [S, B] = [6, 32];
    const lengths = Array.from({ length: B }, (_, b) => 3 + (b % 4));
    const mix = randn([3, H]);
    const batch = (): { keys: Tensor; query: Tensor; target: Tensor; picks: number[] } => {
      const keys = randn([S, B, 3]);
      const picks = lengths.map((n, b) => (b * 7 + Math.floor(keys.toArray()[b] * 1000 + 1e6)) % n);
      const kv = keys.toArray();
      const chosen = new Float32Array(B * 3);
      const target = new Float32Array(B * S);
      picks.forEach((s, b) => {
        chosen.set(kv.subarray((s * B + b) * 3, (s * B + b + 1) * 3), b * 3);
        target[b * S + s] = 1;
      });
      return { keys, query: tensor(chosen, [B, 3]).matmul(mix), target: tensor(target, [B, S]), picks };
    };
    for (let step = 0; step < 150; step++) {
      scope(() => {
        const { keys, query, target } = batch();
        const { weights } = m.forward(query, keys, { lengths });
        const loss = weights.add(1e-9).log().mul(target).sum().mul(-1 / B);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
    const accuracy = scope(() => {
      const { keys, query, picks } = batch();
      const w = m.forward(query, keys, { lengths }).weights.toArray();
      return picks.filter((s, b) => w.subarray(b * S, (b + 1) * S).every((v) => v <= w[b * S + s])).length / B;
    });
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
