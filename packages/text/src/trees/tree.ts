import { fail } from '../errors.js';

/** The label of a node that has none (unlabelled data, or a node added by binarising). */
export const NO_LABEL = -1;

/**
 * A tree as flat arrays (no recursive objects, so any depth is safe to build, walk and free).
 * Node 0 is the root and every child has a larger id than its parent (the parser numbers nodes in
 * preorder), so one backward sweep over the ids visits children before parents. Node i's children
 * are `children[childStart[i] … childStart[i + 1])`, left to right; a node without children is a
 * leaf and has a word (inner nodes have the word '').
 */
export interface Tree {
  /** Number of nodes. */
  readonly size: number;
  /** CSR offsets into `children`, length size + 1. */
  readonly childStart: Int32Array;
  /** The children of every node, node after node. */
  readonly children: Int32Array;
  /** Integer label of every node, or NO_LABEL (−1). */
  readonly labels: Int32Array;
  /** The word of every leaf; '' at inner nodes. */
  readonly words: readonly string[];
}

/**
 * Builds a Tree from each node's parent (−1 for the root, node 0; every parent id below its child's)
 * with children kept in id order. The one constructor the parser, the binariser and tests share.
 */
export function treeFromParents(parents: Int32Array, labels: Int32Array, words: readonly string[]): Tree {
  const n = parents.length;
  if (n === 0) throw fail('E_ARGUMENT', 'treeFromParents: a tree needs at least one node');
  if (labels.length !== n || words.length !== n) {
    throw fail('E_ARGUMENT', `treeFromParents: parents, labels and words must have the same length, got ${n}, ${labels.length} and ${words.length}`);
  }
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const p = parents[i];
    if (i === 0 ? p !== -1 : !(p >= 0 && p < i)) {
      throw fail('E_ARGUMENT', `treeFromParents: parents[${i}] must be ${i === 0 ? '−1 (node 0 is the root)' : `in [0, ${i})`}, got ${p}`);
    }
    if (i > 0) childStart[p + 1]++;
  }
  for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
  const children = new Int32Array(n - 1);
  const fill = childStart.slice(0, n);
  for (let i = 1; i < n; i++) children[fill[parents[i]]++] = i;
  for (let i = 0; i < n; i++) {
    const leaf = childStart[i + 1] === childStart[i];
    if (leaf !== (words[i] !== '')) {
      throw fail('E_ARGUMENT', `treeFromParents: node ${i} ${leaf ? 'is a leaf without a word' : `has children and the word ${JSON.stringify(words[i])}`}`);
    }
  }
  return { size: n, childStart, children, labels, words };
}

/** Number of children of node i. */
export function numChildren(tree: Tree, i: number): number {
  return tree.childStart[i + 1] - tree.childStart[i];
}

/** Height of every node: 0 at leaves, 1 + the largest child's height above them (no recursion). */
export function heights(tree: Tree): Int32Array {
  const h = new Int32Array(tree.size);
  const { childStart, children } = tree;
  for (let i = tree.size - 1; i >= 0; i--) {
    let m = -1;
    for (let j = childStart[i]; j < childStart[i + 1]; j++) m = Math.max(m, h[children[j]]);
    h[i] = m + 1;
  }
  return h;
}

/** The words at the leaves, left to right (the sentence). */
export function leafWords(tree: Tree): string[] {
  const out: string[] = [];
  for (const i of preorder(tree)) if (tree.words[i] !== '') out.push(tree.words[i]);
  return out;
}

/** The node ids in preorder (a node, then its children's subtrees left to right), iteratively. */
export function preorder(tree: Tree): Int32Array {
  const out = new Int32Array(tree.size);
  const stack = [0];
  let k = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    out[k++] = i;
    for (let j = tree.childStart[i + 1] - 1; j >= tree.childStart[i]; j--) stack.push(tree.children[j]);
  }
  return out;
}
