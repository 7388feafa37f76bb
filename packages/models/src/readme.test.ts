import { manualSeed, optim, scope, tensor } from '@eddy/autograd';
import { expect, test } from 'vitest';
import { Dropout, Embedding, Linear, loadSafetensors, Module, ready, saveSafetensors, Sequential } from './index.js';

test('the README example runs', async () => {
  await ready();
  manualSeed(0);
  const net = new Sequential(new Embedding({ numEmbeddings: 65, embeddingDim: 16 }), new Dropout({ p: 0.1 }), new Linear({ inFeatures: 16, outFeatures: 65 }));
  const opt = new optim.Adam(net.parameters(), { lr: 2e-3 });
  scope(() => {
    net.forward(tensor([1, 2, 3], [3], { dtype: 'int32' })).sum().backward();
    opt.step();
  });
  const bytes = saveSafetensors(net.stateDict());
  expect(Object.keys(net.stateDict())).toEqual(['0.weight', '2.weight', '2.bias']);
  const copy = Module.fromConfig(JSON.parse(JSON.stringify(net.toConfig())));
  scope(() => {
    copy.loadStateDict(loadSafetensors(bytes));
  });
  expect(copy.parameters().map((p) => Array.from(p.toArray()))).toEqual(net.parameters().map((p) => Array.from(p.toArray())));
  net.dispose();
  copy.dispose();
});
