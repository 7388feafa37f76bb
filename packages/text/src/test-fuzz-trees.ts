import fc from 'fast-check';
import { eddyErrorOf, type FuzzTarget } from './test-fuzz.js';
import { binarize } from './trees/binarize.js';
import { toBracketString } from './trees/format.js';
import { parseTree, parseTrees } from './trees/parse.js';
import { childListSchedule, levelSchedule } from './trees/schedule.js';

// The tree-file fuzz target (issue 16's tree parser), shared by the suite's fuzz test and the
// bench's long mode: a file, valid or hostile, ends in trees that print back to what they parse
// from, binarise and schedule — or in E_FORMAT naming where.

/** A random bracketed tree, mostly valid: labels optional, n-ary and unary nodes, odd words. */
const word = fc.oneof(fc.constantFrom('good', 'not', "'s", '-LRB-', '\\)', '2', 'caf\u00e9', '__proto__'), fc.string({ minLength: 1, maxLength: 4 }));
const label = fc.option(fc.integer({ min: 0, max: 4 }).map(String), { nil: undefined });
const tree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    { weight: 3, arbitrary: fc.tuple(label, word).map(([l, w]) => `(${l === undefined ? '' : `${l} `}${w})`) },
    { weight: 2, arbitrary: fc.tuple(label, fc.array(tie('node'), { minLength: 1, maxLength: 3 })).map(([l, cs]) => `(${l === undefined ? '' : `${l} `}${cs.join(' ')})`) },
  ),
})).node;
/** Mutations: a character dropped, doubled or replaced by one of the bracket notation's own. */
const mutated = fc.tuple(tree, fc.nat(), fc.constantFrom('', '(', ')', ' ', '\n', '9', '-1', 'x')).map(([t, at, c]) => {
  const i = at % (t.length + 1);
  return t.slice(0, i) + c + t.slice(i + 1);
});
const file = fc.array(fc.oneof({ weight: 4, arbitrary: tree }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), { minLength: 1, maxLength: 5 })
  .map((lines) => lines.join('\n'));

const words = { id: (w: string) => w.length % 7 };

export const treesTarget: FuzzTarget<string> = {
  name: 'parseTrees',
  arbitrary: file,
  run: (text) => {
    for (const t of parseTrees(text)) {
      const printed = toBracketString(t);
      if (toBracketString(parseTree(printed)) !== printed) throw new Error(`does not round-trip: ${printed}`);
      const b = binarize(t, 'balanced');
      const s = levelSchedule([b], words);
      if (s.numNodes !== b.labels.length) throw new Error('the schedule lost nodes');
      if (childListSchedule([t], words).numNodes !== t.labels.length) throw new Error('the child-list schedule lost nodes');
    }
  },
  typed: eddyErrorOf(['E_FORMAT']),
};

