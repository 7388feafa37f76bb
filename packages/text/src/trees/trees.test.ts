import { EddyError } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { Vocab } from '../vocab.js';
import {
  NO_LABEL, binarize, childListSchedule, heights, leafWords, levelSchedule, parseTree, parseTrees, preorder, toBracketString,
  treeFromTokens, type Tree,
} from './index.js';

const SST = "(3 (2 It) (4 (2 's) (3 (2 very) (3 great))))";

function formatError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EddyError);
    expect((e as EddyError).code).toBe('E_FORMAT');
    return (e as Error).message;
  }
  throw new Error('expected an E_FORMAT error');
}

describe('parseTree', () => {
  it('reads SST trees into flat arrays and writes them back', () => {
    const t = parseTree(SST);
    expect(t.size).toBe(7);
    expect(Array.from(t.labels)).toEqual([3, 2, 4, 2, 3, 2, 3]);
    expect(leafWords(t)).toEqual(['It', "'s", 'very', 'great']);
    expect(Array.from(t.children.subarray(t.childStart[0], t.childStart[1]))).toEqual([1, 2]);
    expect(Array.from(heights(t))).toEqual([3, 0, 2, 0, 1, 0, 0]);
    expect(toBracketString(t)).toBe(SST);
  });

  it.each([
    ['unlabelled inner nodes', "((2 It) (4 (2 's) (3 great)))"],
    ['unlabelled leaves', '((It) ((is) (good)))'],
    ['n-ary and unary nodes', '(1 (2 a) (3 b) (4 c) (0 (2 d)))'],
    ['integer words', '(2 (1 3) (3))'],
    ['a single leaf', '(4 great)'],
  ])('round-trips %s', (_, text) => {
    const t = parseTree(text);
    expect(toBracketString(t)).toBe(text);
    expect(parseTree(toBracketString(t))).toEqual(t);
  });

  it('accepts a tree over several lines and any whitespace', () => {
    const t = parseTree('(3\n\t(2 It)\r\n  (4   great) )');
    expect(toBracketString(t)).toBe('(3 (2 It) (4 great))');
  });

  it.each([
    ['(3 (2 It) (4 great)', "line 1, column 20: expected ')' to close the node opened at line 1, column 1"],
    ['(3 (2 It)) (2 x)', "line 1, column 12: expected the end of the tree, got '('"],
    ['3 (2 It)', "line 1, column 1: expected '(' to start a tree, got \"3\""],
    ['(3 ())', "line 1, column 5: expected a label, a word or '('"],
    ['(3 very good)', 'line 1, column 9: expected \')\' after the word "very" (a leaf has one word), got "good"'],
    ['(very good)', 'line 1, column 7: expected \')\' after the word "very"'],
    ['(NP (2 a) (2 b))', 'line 1, column 2: expected a label (a non-negative integer) before a node\'s children, got "NP"'],
    ['(3 (2 a) b)', "line 1, column 10: expected '(' or ')'"],
    ['(3 (2 a)\n  (2 b) c)', "line 2, column 9: expected '(' or ')'"],
    ['', 'expected a tree'],
    ['(9999999999 a)', 'expected a label in [0, 2147483647]'],
  ])('names the line and column of %j', (text, message) => {
    expect(formatError(() => parseTree(text))).toContain(message);
  });

  it('parses and prints a tree 100 000 levels deep without recursion', () => {
    const depth = 100_000;
    const text = '(1 '.repeat(depth) + '(2 leaf)' + ')'.repeat(depth);
    const t = parseTree(text);
    expect(t.size).toBe(depth + 1);
    expect(heights(t)[0]).toBe(depth);
    expect(toBracketString(t)).toBe(text);
    const b = binarize(t);
    expect(b.size).toBe(1);
    expect(b.labels[0]).toBe(1);
    const s = levelSchedule([parseTree('(1 (2 x) '.repeat(1000) + '(2 y)' + ')'.repeat(1000))], { id: () => 0 });
    expect(s.levels.length).toBe(1000);
  });
});

describe('parseTrees', () => {
  it('reads one tree per line, with or without a final newline', () => {
    const text = `${SST}\n(1 (2 a) (0 b))\r\n`;
    expect(parseTrees(text).map((t) => toBracketString(t))).toEqual([SST, '(1 (2 a) (0 b))']);
    expect(parseTrees('(1 x)')).toHaveLength(1);
  });

  it('names the line of an error, an empty line and a file with no tree', () => {
    expect(formatError(() => parseTrees(`${SST}\n(1 (2 a) (0 b)\n`))).toContain('parseTrees: line 2, column 15');
    expect(formatError(() => parseTrees(`${SST}\n\n(1 x)\n`))).toContain('line 2 is empty');
    expect(formatError(() => parseTrees(''))).toContain('no trees');
  });
});

function shape(t: Tree): string {
  // Structure with the leaves' words, labels shown only where present.
  return toBracketString(t);
}

describe('binarize', () => {
  const flat = parseTree('(1 (2 a) (2 b) (2 c) (2 d) (2 e))');
  it.each([
    ['right', '(1 (2 a) ((2 b) ((2 c) ((2 d) (2 e)))))'],
    ['left', '(1 ((((2 a) (2 b)) (2 c)) (2 d)) (2 e))'],
    ['balanced', '(1 (((2 a) (2 b)) (2 c)) ((2 d) (2 e)))'],
  ] as const)('%s', (mode, expected) => {
    const b = binarize(flat, mode);
    expect(shape(b)).toBe(expected);
    expect(leafWords(b)).toEqual(leafWords(flat));
    expect(Array.from(preorder(b))).toEqual(Array.from({ length: b.size }, (_, i) => i));
  });

  it('merges unary chains, keeping the upper label', () => {
    expect(shape(binarize(parseTree('(1 (0 (3 (2 a) (2 b))) (4 (2 c)))')))).toBe('(1 (0 (2 a) (2 b)) (4 c))');
    expect(shape(binarize(parseTree('((((3 a) (2 b))))')))).toBe('((3 a) (2 b))');
  });

  it('builds unlabelled trees over plain tokens', () => {
    expect(shape(treeFromTokens(['a', 'b', 'c']))).toBe('((a) ((b) (c)))');
    expect(shape(treeFromTokens(['a', 'b', 'c'], 'left'))).toBe('(((a) (b)) (c))');
    expect(shape(treeFromTokens(['a']))).toBe('(a)');
    expect(() => treeFromTokens(['a b'])).toThrow(/tokens\[0\]/);
    expect(() => treeFromTokens([])).toThrow(/non-empty/);
    expect(() => binarize(flat, 'middle' as never)).toThrow(/mode must be one of/);
  });
});

describe('levelSchedule', () => {
  const vocab = new Vocab(['a', 'b', 'c', 'd']);
  const trees = [parseTree('(1 (2 a) (3 (0 b) (4 c)))'), parseTree('(0 (1 d) (2 a))'), parseTree('(3 c)')];

  it('groups the nodes of a batch by height, children before parents', () => {
    const s = levelSchedule(trees, vocab);
    expect(s.numNodes).toBe(9);
    expect(s.leaves.nodes.length).toBe(6);
    expect(Array.from(s.leaves.words)).toEqual(['a', 'b', 'c', 'd', 'a', 'c'].map((w) => vocab.id(w)));
    expect(s.levels.map((l) => l.nodes.length)).toEqual([2, 1]);
    const done = new Set(s.leaves.nodes);
    for (const level of s.levels) {
      for (let r = 0; r < level.nodes.length; r++) {
        expect(done.has(level.left[r]) && done.has(level.right[r])).toBe(true);
        // Left and right are the node's own children, in order.
        const t = trees[s.tree[level.nodes[r]]], j = s.node[level.nodes[r]];
        expect([s.node[level.left[r]], s.node[level.right[r]]]).toEqual(Array.from(t.children.subarray(t.childStart[j], t.childStart[j + 1])));
        expect(s.tree[level.left[r]]).toBe(s.tree[level.nodes[r]]);
      }
      level.nodes.forEach((g) => done.add(g));
    }
    expect(done.size).toBe(s.numNodes);
    expect(Array.from(s.roots, (g) => s.labels[g])).toEqual([1, 0, 3]);
    expect(Array.from(s.roots, (g) => s.node[g])).toEqual([0, 0, 0]);
  });

  it('refuses a non-binary node and gives child lists instead', () => {
    const nary = parseTree('(1 (2 a) (2 b) (2 c))');
    expect(() => levelSchedule([nary], vocab)).toThrow(/node 0 of trees\[0\] has 3 children.*binarize/);
    const s = childListSchedule([nary, trees[0]], vocab);
    expect(s.levels.map((l) => Array.from(l.childStart))).toEqual([[0, 3, 5], [0, 2]]);
    expect(s.labels[s.roots[0]]).toBe(1);
    expect(NO_LABEL).toBe(-1);
  });

  it('checks its arguments', () => {
    expect(() => levelSchedule([], vocab)).toThrow(/non-empty array/);
    expect(() => levelSchedule([{} as Tree], vocab)).toThrow(/trees\[0\] must be a Tree/);
    expect(() => levelSchedule(trees, { id: () => -1 })).toThrow(/non-negative integer/);
  });
});
