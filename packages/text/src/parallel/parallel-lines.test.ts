import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { parseParallelLines } from './parallel-lines.js';

function error(f: () => unknown): EddyError {
  try {
    f();
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parseParallelLines', () => {
  test('pairs in order with their line numbers; blank lines, \\r\\n and extra columns', () => {
    const text = 'Go.\tVa !\r\n\n  \nRun!\tCours\u202f!\tCC-BY 2.0 (France) Attribution: tatoeba.org\n  Wow! \t Ça alors ! \n';
    expect(parseParallelLines(text).pairs).toEqual([
      { source: 'Go.', target: 'Va !', line: 1 },
      { source: 'Run!', target: 'Cours\u202f!', line: 4 },
      { source: 'Wow!', target: 'Ça alors !', line: 5 },
    ]);
    expect(parseParallelLines('').pairs).toEqual([]);
    expect(parseParallelLines('a\tb').pairs).toHaveLength(1);
  });

  test.each([
    ['a\tb\nno tab here\n', 'text:2: expected source<TAB>target, got a line without a tab: "no tab here"'],
    ['a\tb\n\n\t b\n', 'text:3: the source side (before the tab) is empty'],
    ['a\t \n', 'text:1: the target side (after the tab) is empty'],
    ['a\t\tattribution\n', 'text:1: the target side (after the tab) is empty'],
  ])('%j → E_FORMAT naming the line', (text, message) => {
    const e = error(() => parseParallelLines(text));
    expect(e.code).toBe('E_FORMAT');
    expect(e.message).toContain(`parseParallelLines: ${message}`);
  });

  test('name and maxLines', () => {
    expect(error(() => parseParallelLines('x\ty\nz', { name: 'train.tsv' })).message).toMatch(/^parseParallelLines: train\.tsv:2: /);
    expect(parseParallelLines('a\tb\nc\td\n', { maxLines: 2 }).pairs).toHaveLength(2);
    const e = error(() => parseParallelLines('a\tb\nc\td\n\ne\tf\n', { maxLines: 2, name: 'big.tsv' }));
    expect([e.code, e.message]).toEqual(['E_FORMAT', 'parseParallelLines: big.tsv:4: more than maxLines = 2 pairs']);
    expect(error(() => parseParallelLines('a\tb', { maxLines: 0 })).code).toBe('E_ARGUMENT');
    expect(error(() => parseParallelLines('a\tb', { name: '' })).code).toBe('E_ARGUMENT');
    expect(error(() => parseParallelLines('a\tb', { maxLine: 3 } as never)).message).toMatch(/did you mean "maxLines"/);
    expect(error(() => parseParallelLines(42 as never)).message).toBe('parseParallelLines: text must be a string, got 42');
  });

  test('a hostile file past maxLines is refused at the first line too many', () => {
    const text = 'a\tb\n'.repeat(2_000_000);
    const start = performance.now();
    expect(error(() => parseParallelLines(text, { maxLines: 10 })).message).toMatch(/:11: more than maxLines = 10/);
    expect(performance.now() - start).toBeLessThan(100);
  });
});
