import { describe, expect, it } from 'vitest';
import {
  arange, binaryCrossEntropyWithLogits, crossEntropy, eye, full, gradcheck, gruCell, gruSequence, init, loadCore,
  lstmCell, lstmSequence, mse, ones, optim, rand, randn, rnnCell, rnnSequence, sum, tensor, zeros, zerosLike,
} from './index.js';

// Every public options object of @eddy/autograd refuses a key it does not know, with the closest
// known one suggested: TensorFlow.js's users met a misspelt config key that silently kept a default
// (STYLE.md). Each row misspells one key as a user would and expects E_ARGUMENT naming both.

const x = () => tensor([[1, 2, 3], [4, 5, 6]]);
const param = () => tensor([1, 2], undefined, { requiresGrad: true });
const adam = () => new optim.Adam([param()]);
// One layer of each family: H = 2, I = 3, sequences [T = 2, B = 1, I], cells [B = 1, I].
const weights = (gates: number) => ({ wIh: randn([gates * 2, 3]), wHh: randn([gates * 2, 2]) });
const seq = () => randn([2, 1, 3]);
const step = () => randn([1, 3]);

const CASES: Array<[api: string, call: () => unknown, key: string, meant: string]> = [
  ['tensor', () => tensor([1], undefined, { requiresgrad: true } as never), 'requiresgrad', 'requiresGrad'],
  ['full', () => full([2], 1, { dtpye: 'int32' } as never), 'dtpye', 'dtype'],
  ['zeros', () => zeros([2], { dtyp: 'int32' } as never), 'dtyp', 'dtype'],
  ['ones', () => ones([2], { requireGrad: true } as never), 'requireGrad', 'requiresGrad'],
  ['zerosLike', () => zerosLike(x(), { requiresGrads: true } as never), 'requiresGrads', 'requiresGrad'],
  ['randn', () => randn([2], { requiresGard: true } as never), 'requiresGard', 'requiresGrad'],
  ['rand', () => rand([2], { dtypes: 'float32' } as never), 'dtypes', 'dtype'],
  ['arange', () => arange(3, undefined, 1, { dtyp: 'int32' } as never), 'dtyp', 'dtype'],
  ['eye', () => eye(2, 2, { requires_grad: true } as never), 'requires_grad', 'requiresGrad'],
  ['SGD', () => new optim.SGD([param()], { momentun: 0.9 } as never), 'momentun', 'momentum'],
  ['Adam', () => new optim.Adam([param()], { betas: [0.9, 0.99], weight_decay: 0.1 } as never), 'weight_decay', 'weightDecay'],
  ['AdamW', () => new optim.AdamW([param()], { amsgrd: true } as never), 'amsgrd', 'amsgrad'],
  ['RMSprop', () => new optim.RMSprop([param()], { centred: true } as never), 'centred', 'centered'],
  ['Adagrad', () => new optim.Adagrad([param()], { lrDeacy: 0.1 } as never), 'lrDeacy', 'lrDecay'],
  ['StepLR', () => new optim.StepLR(adam(), { stepSize: 2, gama: 0.5 } as never), 'gama', 'gamma'],
  ['ExponentialLR', () => new optim.ExponentialLR(adam(), { gamma: 0.5, gammma: 0.1 } as never), 'gammma', 'gamma'],
  ['CosineAnnealingLR', () => new optim.CosineAnnealingLR(adam(), { tMax: 4, eta_min: 0 } as never), 'eta_min', 'etaMin'],
  ['ReduceLROnPlateau', () => new optim.ReduceLROnPlateau(adam(), { patiense: 3 } as never), 'patiense', 'patience'],
  ['crossEntropy', () => crossEntropy(x(), tensor([0, 2], undefined, { dtype: 'int32' }), { ignore_index: 1 } as never), 'ignore_index', 'ignoreIndex'],
  ['mse', () => mse(x(), x(), { reducton: 'sum' } as never), 'reducton', 'reduction'],
  ['binaryCrossEntropyWithLogits', () => binaryCrossEntropyWithLogits(x(), x(), { reducion: 'sum' } as never), 'reducion', 'reduction'],
  ['gradcheck', () => gradcheck((a) => sum(a), [param()], { epsilon: 1e-3 } as never), 'epsilon', 'eps'],
  ['init.kaimingUniform', () => init.kaimingUniform(randn([2, 2]), { nonLinearity: 'relu' } as never), 'nonLinearity', 'nonlinearity'],
  ['init.kaimingNormal', () => init.kaimingNormal(randn([2, 2]), { mdoe: 'fanOut' } as never), 'mdoe', 'mode'],
  ['lstmSequence', () => lstmSequence(seq(), { ...weights(4), lenghts: null } as never), 'lenghts', 'lengths'],
  ['gruSequence', () => gruSequence(seq(), { ...weights(3), resetbefore: true } as never), 'resetbefore', 'resetBefore'],
  ['rnnSequence', () => rnnSequence(seq(), { ...weights(1), revrese: true } as never), 'revrese', 'reverse'],
  ['lstmCell', () => lstmCell(step(), null, { ...weights(4), bih: null } as never), 'bih', 'bIh'],
  ['lstmCell', () => lstmCell(step(), { h: randn([1, 2]), C: randn([1, 2]) } as never, weights(4)), 'C', 'c'],
  ['gruCell', () => gruCell(step(), null, { ...weights(3), reset_before: true } as never), 'reset_before', 'resetBefore'],
  ['rnnCell', () => rnnCell(step(), null, { ...weights(1), nonlinearty: 'relu' } as never), 'nonlinearty', 'nonlinearity'],
];

describe("autograd's public options objects refuse unknown keys", () => {
  it.each(CASES)('%s { %s }', (api, call, key, meant) => {
    const message = `${api}: unknown option "${key}" (did you mean "${meant}"?)`;
    expect(call).toThrow(expect.objectContaining({ name: 'EddyError', code: 'E_ARGUMENT', message }));
  });

  it('loadCore', async () => {
    await expect(loadCore({ deterministik: false } as never)).rejects.toMatchObject({
      code: 'E_ARGUMENT', message: 'loadCore: unknown option "deterministik" (did you mean "deterministic"?)',
    });
  });

  it('accepts every documented key, and keys whose value is undefined', () => {
    expect(() => new optim.SGD([param()], { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true })).not.toThrow();
    expect(() => tensor([1], undefined, { dtype: 'float32', requiresGrad: false, ...{ other: undefined } })).not.toThrow();
  });
});
