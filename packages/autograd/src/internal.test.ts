import { describe, expect, it } from 'vitest';
import * as internal from './internal.js';
import * as publicApi from './index.js';

// Helpers the Eddy packages share go through `@eddy/autograd/internal` (no semver promise), never
// through the public index, so users do not build on them.
const INTERNALS = [
  'describe', 'fail', 'sumTo', 'expandTo', 'tapeLength', 'projectionPays', 'defaultGenerator',
  'closestName', 'editDistance', 'checkOptions', 'optionKeys', 'intOption', 'boolOption', 'rangeOption', 'choiceOption',
  'PackedWeight', 'linearPacked', 'empty', 'treeLstmCellForward', 'treeLstmCellBackward', 'embeddingScatterAdd',
];

describe('@eddy/autograd/internal', () => {
  it.each(INTERNALS)('%s is internal, not public', (name) => {
    expect(internal).toHaveProperty(name);
    expect(publicApi).not.toHaveProperty(name);
  });
});
