import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn, scope, Tensor, tensor } from '@eddy/autograd';
import { afterAll, describe, expect, it } from 'vitest';
import { Module, type ModuleConfig } from '../module.js';
import { loadSafetensors, loadSafetensorsWithMetadata, saveSafetensors } from '../safetensors.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { LayerResult, RecurrentBase } from './runner.js';
import './rnn.js';

// PyTorch parity against the committed fixtures (written by scripts/make_fixtures.py with
// torch 1.13 in float64 on float32 values), and safetensors interop both ways. CI needs no
// PyTorch: only the files in fixtures/ are read. With EDDY_WRITE_INTEROP=1 the interop block also
// writes fixtures/eddy-written/, which the script then loads into torch.nn.LSTM / GRU.

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

interface Case {
  name: string;
  file: string;
  config: ModuleConfig;
  lengths: number[] | null;
  state: boolean;
  parameters: string[];
}

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult>;

const index = JSON.parse(readFileSync(join(FIXTURES, 'parity', 'index.json'), 'utf8')) as { cases: Case[] };

/** Largest |a − b| / (1 + |b|) over the elements (abs + rel with atol = rtol), with where it is. */
function worst(a: Tensor, b: Tensor): { err: number; at: number; got: number; want: number } {
  expect(a.shape).toEqual(b.shape);
  const x = a.toArray();
  const y = b.toArray();
  let best = { err: 0, at: -1, got: 0, want: 0 };
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i]));
    if (!(err <= best.err)) best = { err, at: i, got: x[i], want: y[i] };
  }
  return best;
}

function expectClose(what: string, a: Tensor | null | undefined, b: Tensor, tol: number): void {
  expect(a, `${what} is missing`).toBeInstanceOf(Tensor);
  const w = worst(a!, b);
  expect(w.err, `${what}: element ${w.at} is ${w.got}, expected ${w.want}`).toBeLessThanOrEqual(tol);
}

describe('PyTorch parity (fixtures/parity)', () => {
  it('covers every family, 1–3 layers, both directions, batchFirst and lengths both ways', () => {
    const kinds = new Set(index.cases.map((c) => `${c.config.type}:${String(c.config.nonlinearity ?? '')}:${c.config.projSize ? 'proj' : ''}`));
    expect([...kinds].sort()).toEqual(['GRU::', 'LSTM::', 'LSTM::proj', 'RNN:relu:', 'RNN:tanh:']);
    for (const key of ['bidirectional', 'batchFirst', 'bias'] as const) expect(new Set(index.cases.map((c) => c.config[key]))).toEqual(new Set([true, false]));
    expect(new Set(index.cases.map((c) => c.config.numLayers))).toEqual(new Set([1, 2, 3]));
    expect(new Set(index.cases.map((c) => c.lengths === null))).toEqual(new Set([true, false]));
  });

  for (const c of index.cases) {
    it(c.name, () => {
      const model = Module.fromConfig(c.config) as Recurrent;
      try {
        scope(() => {
          const dict = loadSafetensors(readFileSync(join(FIXTURES, 'parity', c.file)));
          const get = (name: string): Tensor => {
            expect(dict[name], `fixture ${c.file} lacks ${name}`).toBeInstanceOf(Tensor);
            return dict[name];
          };
          // Names and order exactly as torch's named_parameters().
          expect(model.namedParameters().map(([n]) => n)).toEqual(c.parameters);
          const params: Record<string, Tensor> = {};
          for (const name of c.parameters) params[name] = get(`param.${name}`);
          model.loadStateDict(params);

          const x = get('input.x').setRequiresGrad(true);
          const h0 = c.state ? get('input.h0').setRequiresGrad(true) : null;
          const c0 = c.state && 'input.c0' in dict ? get('input.c0').setRequiresGrad(true) : null;
          const lengths = c.lengths === null ? null : get('input.lengths');
          const r = model.forward(x, c.state ? { h: h0, ...(c0 ? { c: c0 } : {}) } : null, { lengths });

          expectClose('output', r.output, get('out.output'), 1e-5);
          expectClose('h', r.h, get('out.h'), 1e-5);
          if ('out.c' in dict) expectClose('c', r.c, get('out.c'), 1e-5);
          else expect(r.c).toBeUndefined();

          let loss = r.output.mul(get('loss.R')).sum().add(r.h.mul(get('loss.Rh')).sum());
          if (r.c !== undefined) loss = loss.add(r.c.mul(get('loss.Rc')).sum());
          loss.backward();

          expectClose('∂L/∂x', x.grad, get('grad.x'), 1e-4);
          if (h0 !== null) expectClose('∂L/∂h0', h0.grad, get('grad.h0'), 1e-4);
          if (c0 !== null) expectClose('∂L/∂c0', c0.grad, get('grad.c0'), 1e-4);
          for (const [name, p] of model.namedParameters()) expectClose(`∂L/∂${name}`, p.grad, get(`grad.${name}`), 1e-4);
        });
      } finally {
        model.dispose();
      }
    });
  }
});

describe('safetensors interop', () => {
  // A state dict saved by PyTorch (torch.nn.LSTM / GRU's own state_dict(), no prefixes).
  for (const kind of ['lstm', 'gru']) {
    it(`loads ${kind}.safetensors written from torch.nn.${kind.toUpperCase()} and gives torch's outputs`, () => {
      const { tensors, metadata } = loadSafetensorsWithMetadata(readFileSync(join(FIXTURES, 'pytorch-written', `${kind}.safetensors`)));
      const model = Module.fromConfig(JSON.parse(metadata!.config) as ModuleConfig) as Recurrent;
      try {
        model.loadStateDict(tensors);
        model.eval();
        scope(() => {
          const io = loadSafetensors(readFileSync(join(FIXTURES, 'pytorch-written', `${kind}.io.safetensors`)));
          const r = model.forward(io.x);
          expectClose('output', r.output, io.output, 1e-5);
          expectClose('h', r.h, io.h, 1e-5);
          if (io.c !== undefined) expectClose('c', r.c, io.c, 1e-5);
        });
      } finally {
        model.dispose();
        for (const t of Object.values(tensors)) t.dispose();
      }
    });
  }

  // Eddy's side of the round trip. Always: save → load into a fresh module → same outputs. With
  // EDDY_WRITE_INTEROP=1 (set by make_fixtures.py): also write the state dict, with the config in
  // its metadata, and the inputs and outputs beside it, for torch to check.
  const models: Array<[string, () => Recurrent]> = [
    ['lstm', () => new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true }) as unknown as Recurrent],
    ['lstm_proj', () => new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, projSize: 3 }) as unknown as Recurrent],
    ['gru', () => new GRU({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true }) as unknown as Recurrent],
  ];
  const writing = process.env.EDDY_WRITE_INTEROP === '1';
  const outDir = join(FIXTURES, 'eddy-written');
  const created: Module[] = [];
  afterAll(() => created.forEach((m) => m.dispose()));

  for (const [name, make] of models) {
    it(`${name}: a state dict saved by Eddy loads back into a fresh module with the same outputs${writing ? ' (and is written for torch)' : ''}`, () => {
      manualSeed(42);
      const model = make();
      const copy = Module.fromConfig(model.toConfig()) as Recurrent; // other random weights
      created.push(model, copy);
      const bytes = saveSafetensors(model.stateDict(), { format: 'pt', config: JSON.stringify(model.toConfig()) });
      scope(() => {
        const batchFirst = model.batchFirst;
        const x = randn(batchFirst ? [3, 5, 4] : [5, 3, 4]);
        const LD = model.numLayers * model.numDirections;
        const h0 = randn([LD, 3, model.stateSize]);
        const c0 = randn([LD, 3, model.hiddenSize]);
        const isLstm = model instanceof LSTM;
        const state = isLstm ? { h: h0, c: c0 } : { h: h0 };
        const lengths = [5, 2, 4];
        const want = model.forward(x, state, { lengths });

        const loaded = loadSafetensorsWithMetadata(bytes);
        expect(JSON.parse(loaded.metadata!.config)).toEqual(model.toConfig());
        copy.loadStateDict(loaded.tensors);
        const got = copy.forward(x, state, { lengths });
        for (const key of ['output', 'h', 'c'] as const) {
          if (want[key] === undefined) continue;
          expect(Array.from(got[key]!.toArray())).toEqual(Array.from(want[key]!.toArray()));
        }
        if (writing) {
          mkdirSync(outDir, { recursive: true });
          writeFileSync(join(outDir, `${name}.safetensors`), bytes);
          const io: Record<string, Tensor> = { x, h0, output: want.output, h: want.h, lengths: tensor(Int32Array.from(lengths), [3], { dtype: 'int32' }) };
          if (isLstm) Object.assign(io, { c0, c: want.c! });
          writeFileSync(join(outDir, `${name}.io.safetensors`), saveSafetensors(io));
        }
      });
    });
  }
});
