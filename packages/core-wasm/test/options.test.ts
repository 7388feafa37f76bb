import { describe, expect, it } from 'vitest';
import { Arena, Core, EddyError, loadCore, loadCoreSync } from '../src/index.node.js';
import { loadCore as loadBrowser } from '../src/index.browser.js';
import { closestName, editDistance } from '../src/closest-name.js';
import { boolOption, checkOptions, choiceOption, intOption, optionKeys, rangeOption, unknownKeyError } from '../src/options.js';
import { expectEddyError } from './cores.js';

// The one "did you mean" and the one unknown-key check of every Eddy package (exposed through
// @eddy/core-wasm/internal), and the strictness of core-wasm's own public options objects.

describe('closestName', () => {
  it('prefers a case-insensitive match, then the smallest edit distance, within a length-scaled limit', () => {
    expect(closestName('dWih', ['wIh', 'dwIh', 'dwHh'])).toBe('dwIh');
    expect(closestName('ldyy', ['dy', 'ldy'])).toBe('ldy');
    expect(closestName('N', ['n', 'm'])).toBe('n');
    // One letter off a one-letter name is no evidence of a typo.
    expect(closestName('m', ['n', 'k'])).toBeUndefined();
    // Adjacent swaps are one edit.
    expect(closestName('wiH', ['wIh', 'x'])).toBe('wIh');
    expect(closestName('trian', ['train', 'sample', 'eval'])).toBe('train');
    expect(closestName('bogus', ['n', 'x', 'out'])).toBeUndefined();
    expect(closestName('momentum_buffer', ['momentumBuffer', 'momentum'])).toBe('momentumBuffer');
    expect(closestName('learningRate', ['lr', 'momentum'])).toBeUndefined();
  });

  it('suggests nothing on a tie, and a prefix of 3 letters or more', () => {
    expect(closestName('W5', ['W1', 'W2', 'W3', 'W4'])).toBeUndefined();
    expect(closestName('W44', ['W1', 'W2', 'W3', 'W4'])).toBe('W4');
    expect(closestName('hid', ['hidden', 'layers'])).toBe('hidden');
    expect(closestName('hi', ['hidden', 'layers'])).toBeUndefined();
  });

  it('measures optimal string alignment distance', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
  });
});

describe('checkOptions', () => {
  const allowed = optionKeys<{ lr?: number; momentum?: number }>({ lr: true, momentum: true });
  it('accepts undefined, known keys and undefined values; returns the object', () => {
    expect(checkOptions('op', undefined, allowed)).toEqual({});
    const o = { lr: 1, other: undefined };
    expect(checkOptions('op', o, allowed)).toBe(o);
  });
  it('refuses an unknown key, naming it and the closest known one, or listing them', () => {
    expectEddyError(() => checkOptions('SGD', { momentun: 0.9 }, allowed), 'E_ARGUMENT', /^SGD: unknown option "momentun" \(did you mean "momentum"\?\)$/);
    expectEddyError(() => checkOptions('SGD', { learningRate: 0.1 }, allowed), 'E_ARGUMENT', /^SGD: unknown option "learningRate" \(expected one of lr, momentum\)$/);
    const inherited = Object.assign(Object.create({ lR: 1 }), { lr: 1 }) as object;
    expectEddyError(() => checkOptions('op', inherited, allowed), 'E_ARGUMENT', /unknown option "lR" \(did you mean "lr"\?\)/);
  });
  it('refuses what is not a plain object', () => {
    for (const bad of [null, 3, 'lr', [1]]) expectEddyError(() => checkOptions('op', bad, allowed), 'E_ARGUMENT', /^op: options must be an object, got /);
  });
  it('has one message for keys and argument names', () => {
    expect(unknownKeyError('sgemm', 'M', ['m', 'n'], 'argument').message).toBe('sgemm: unknown argument "M" (did you mean "m"?)');
  });
});

describe('option values', () => {
  it('reads each kind with its default and refuses the wrong kind, naming it', () => {
    expect(intOption('op', 'n', undefined, 1, 4)).toBe(4);
    expect(intOption('op', 'n', 2, 1, 4, 3)).toBe(2);
    expectEddyError(() => intOption('op', 'n', 5, 1, 4, 3), 'E_ARGUMENT', /^op: n must be an integer in \[1, 3\], got 5$/);
    expectEddyError(() => intOption('op', 'n', 1.5, 1), 'E_ARGUMENT', /n must be an integer >= 1, got 1.5/);
    expect(boolOption('op', 'b', undefined, true)).toBe(true);
    expectEddyError(() => boolOption('op', 'b', 1, true), 'E_ARGUMENT', /b must be true or false, got 1/);
    expect(rangeOption('op', 'p', 0.5, 0, 1, 0)).toBe(0.5);
    expectEddyError(() => rangeOption('op', 'p', 1, 0, 1, 0), 'E_ARGUMENT', /p must be a finite number in \[0, 1\), got 1/);
    expect(choiceOption('op', 'mode', undefined, ['a', 'b'], 'a')).toBe('a');
    expectEddyError(() => choiceOption('op', 'mode', 'c', ['a', 'b'], 'a'), 'E_ARGUMENT', /mode must be one of "a", "b", got "c"/);
  });
});

describe("core-wasm's public options objects refuse unknown keys", () => {
  const core = loadCoreSync();
  const CASES: Array<[api: string, call: () => unknown, key: string, meant: string]> = [
    ['loadCoreSync', () => loadCoreSync({ deterministc: true } as never), 'deterministc', 'deterministic'],
    ['Arena', () => new Arena(core.memory, core.arena.base, { maxbytes: 1 } as never), 'maxbytes', 'maxBytes'],
  ];
  it.each(CASES)('%s', (api, call, key, meant) => {
    const op = api === 'loadCoreSync' ? 'loadCore' : api;
    expectEddyError(call, 'E_ARGUMENT', new RegExp(`^${op}: unknown option "${key}" \\(did you mean "${meant}"\\?\\)$`));
  });
  it('Core', () => {
    const instance = { exports: core.exports } as unknown as WebAssembly.Instance;
    expectEddyError(() => new Core(instance, 'simd', core.features, { maxByte: 1 } as never), 'E_ARGUMENT', /^Core: unknown option "maxByte" \(did you mean "maxBytes"\?\)$/);
  });
  it('loadCore (Node and inline entries)', async () => {
    for (const load of [loadCore, loadBrowser]) {
      const error = await load({ varient: 'simd' } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EddyError);
      expect(error).toMatchObject({ code: 'E_ARGUMENT', message: 'loadCore: unknown option "varient" (did you mean "variant"?)' });
    }
  });
});
