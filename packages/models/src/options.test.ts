import { randn, tensor } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import * as models from './index.js';
import { Dropout, Embedding, GRU, Linear, LSTM, Module, RNN } from './index.js';

// Every public options object of @eddy/models refuses a key it does not know, with the closest
// known one suggested (a misspelt key would otherwise leave its default in force in silence).

const lstm = () => new LSTM({ inputSize: 3, hiddenSize: 2 });
const x = () => randn([2, 1, 3]);

const CASES: Array<[api: string, call: () => unknown, key: string, meant: string]> = [
  ['Linear', () => new Linear({ inFeatures: 2, outFeatures: 3, bais: false } as never), 'bais', 'bias'],
  ['Embedding', () => new Embedding({ numEmbeddings: 5, embedingDim: 2 } as never), 'embedingDim', 'embeddingDim'],
  ['Dropout', () => new Dropout({ P: 0.2 } as never), 'P', 'p'],
  ['RNN', () => new RNN({ inputSize: 3, hiddenSize: 2, nonlinearty: 'relu' } as never), 'nonlinearty', 'nonlinearity'],
  ['LSTM', () => new LSTM({ inputSize: 3, hiddenSize: 2, numLayer: 2 } as never), 'numLayer', 'numLayers'],
  ['GRU', () => new GRU({ inputSize: 3, hiddenSize: 2, batch_first: true } as never), 'batch_first', 'batchFirst'],
  ['RNN.forward', () => new RNN({ inputSize: 3, hiddenSize: 2 }).forward(x(), null, { length: [2] } as never), 'length', 'lengths'],
  ['LSTM.forward', () => lstm().forward(x(), null, { embeding: null } as never), 'embeding', 'embedding'],
  ['GRU.forward', () => new GRU({ inputSize: 3, hiddenSize: 2 }).forward(x(), null, { lenghts: [2] } as never), 'lenghts', 'lengths'],
  ['loadStateDict', () => lstm().loadStateDict(lstm().stateDict(), { strcit: false } as never), 'strcit', 'strict'],
  ['Linear', () => Module.fromConfig({ type: 'Linear', inFeatures: 2, outFeature: 3 }), 'outFeature', 'outFeatures'],
  ['Sequential', () => Module.fromConfig({ type: 'Sequential', module: [] }), 'module', 'modules'],
];

describe("models' public options objects refuse unknown keys", () => {
  it.each(CASES)('%s { %s }', (api, call, key, meant) => {
    const message = `${api}: unknown option "${key}" (did you mean "${meant}"?)`;
    expect(call).toThrow(expect.objectContaining({ name: 'EddyError', code: 'E_ARGUMENT', message }));
  });

  it('accepts the documented keys', () => {
    expect(() => lstm().forward(x(), null, { lengths: tensor([2], undefined, { dtype: 'int32' }), embedding: null })).not.toThrow();
  });

  it('keeps its option validators internal (they come from @eddy/autograd/internal)', () => {
    for (const name of ['checkOptions', 'intOption', 'boolOption', 'rangeOption', 'choiceOption']) expect(models).not.toHaveProperty(name);
  });
});
