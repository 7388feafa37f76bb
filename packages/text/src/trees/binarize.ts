import { fail } from '../errors.js';
import { NO_LABEL, treeFromParents, type Tree } from './tree.js';

/**
 * How n-ary nodes become binary: 'left' ((a b) c) d, 'right' a (b (c d)) (CoreNLP's and SST's
 * choice for new text), 'balanced' (a b) (c d) — the left half takes the extra child.
 */
export type BinarizeMode = 'left' | 'right' | 'balanced';

const MODES: readonly BinarizeMode[] = ['left', 'right', 'balanced'];

function checkMode(op: string, mode: unknown): BinarizeMode {
  if (!MODES.includes(mode as BinarizeMode)) throw fail('E_ARGUMENT', `${op}: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`);
  return mode as BinarizeMode;
}

/** Where a run of k ≥ 2 siblings splits: the size of the left part. */
function leftSize(mode: BinarizeMode, k: number): number {
  return mode === 'left' ? k - 1 : mode === 'right' ? 1 : Math.ceil(k / 2);
}

/**
 * A binary tree with the same leaves: every node with more than two children becomes a chain of
 * binary nodes (see BinarizeMode); the nodes added are unlabelled (NO_LABEL), so per-node losses
 * skip them. A unary inner node is merged with its child, keeping the upper label (the lower one
 * when the upper node has none). Iterative; nodes are numbered in preorder.
 */
export function binarize(tree: Tree, mode: BinarizeMode = 'right'): Tree {
  const m = checkMode('binarize', mode);
  const parents: number[] = [];
  const labels: number[] = [];
  const words: string[] = [];
  const { childStart, children } = tree;
  // A task is a run of siblings children[a … b) to hang under the output node `parent`; a run of
  // one is that node (after merging unary chains), a longer run a new unlabelled node.
  const tasks: Array<[number, number, number]> = [];
  const emit = (parent: number, label: number, word: string) => {
    parents.push(parent);
    labels.push(label);
    words.push(word);
    return parents.length - 1;
  };
  const pushRun = (a: number, b: number, parent: number) => {
    if (b - a === 2 || b - a === 1) {
      for (let j = b - 1; j >= a; j--) tasks.push([j, j + 1, parent]);
      return;
    }
    const s = a + leftSize(m, b - a);
    tasks.push([s, b, parent], [a, s, parent]);
  };
  const node = (src: number, parent: number) => {
    let label = tree.labels[src];
    while (childStart[src + 1] - childStart[src] === 1) {
      src = children[childStart[src]];
      if (label === NO_LABEL) label = tree.labels[src];
    }
    const id = emit(parent, label, tree.words[src]);
    if (childStart[src + 1] > childStart[src]) pushRun(childStart[src], childStart[src + 1], id);
  };
  node(0, -1);
  while (tasks.length > 0) {
    const [a, b, parent] = tasks.pop()!;
    if (b - a === 1) node(children[a], parent);
    else pushRun(a, b, emit(parent, NO_LABEL, ''));
  }
  return treeFromParents(Int32Array.from(parents), Int32Array.from(labels), words);
}

/**
 * A binary tree over plain tokens (unlabelled, for text without a parse): the tokens are the leaves,
 * combined as `mode` says ('right' by default; a single token is a one-node tree).
 */
export function treeFromTokens(tokens: readonly string[], mode: BinarizeMode = 'right'): Tree {
  const m = checkMode('treeFromTokens', mode);
  if (!Array.isArray(tokens) || tokens.length === 0) throw fail('E_ARGUMENT', 'treeFromTokens: tokens must be a non-empty array of strings');
  tokens.forEach((t, i) => {
    if (typeof t !== 'string' || t === '' || /[\s()]/.test(t)) {
      throw fail('E_ARGUMENT', `treeFromTokens: tokens[${i}] must be a non-empty string without spaces or parentheses, got ${JSON.stringify(t)}`);
    }
  });
  if (tokens.length === 1) return treeFromParents(Int32Array.of(-1), Int32Array.of(NO_LABEL), [tokens[0]]);
  const k = tokens.length;
  const flat = treeFromParents(
    Int32Array.from({ length: k + 1 }, (_, i) => i - 1 < 0 ? -1 : 0),
    new Int32Array(k + 1).fill(NO_LABEL),
    ['', ...tokens],
  );
  return binarize(flat, m);
}
