import { describe, fail } from '../errors.js';
import { heights, type Tree } from './tree.js';

// The nodes of a minibatch of trees, numbered in one global buffer by height: first every leaf
// (height 0), then every node of height 1, and so on. A level's children all have smaller heights,
// so they are done when the level runs, and the level is a few large matrix operations (gather the
// children's states, one GEMM, the gates) instead of one small step per node.

/** Maps a word to its id (a `Vocab` is one: unknown words map to `<unk>`). */
export interface WordIds {
  id(word: string): number;
}

/** The leaves of a schedule: their global node ids and their word ids. */
export interface ScheduleLeaves {
  readonly nodes: Int32Array;
  readonly words: Int32Array;
}

/** One level of a binary schedule: global ids of its nodes and of their left and right children. */
export interface BinaryLevel {
  readonly nodes: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
}

/** One level of a general schedule: node i's children are children[childStart[i] … childStart[i + 1]). */
export interface ChildListLevel {
  readonly nodes: Int32Array;
  readonly childStart: Int32Array;
  readonly children: Int32Array;
}

interface ScheduleBase {
  /** Nodes in the batch (all trees). */
  readonly numNodes: number;
  readonly leaves: ScheduleLeaves;
  /** Label of every global node (NO_LABEL = −1 where none). */
  readonly labels: Int32Array;
  /** Global id of each tree's root, in tree order. */
  readonly roots: Int32Array;
  /** The tree (index into the input) and the node within it of every global node. */
  readonly tree: Int32Array;
  readonly node: Int32Array;
}

/** The schedule of binary trees (RecursiveNN, RNTN, BinaryTreeLSTM). */
export interface LevelSchedule extends ScheduleBase {
  /** Levels of height 1, 2, …; each node's children are in earlier levels or leaves. */
  readonly levels: readonly BinaryLevel[];
}

/** The schedule of trees with any number of children per node (ChildSumTreeLSTM). */
export interface ChildListSchedule extends ScheduleBase {
  readonly levels: readonly ChildListLevel[];
}

interface Numbered {
  base: ScheduleBase;
  /** Global id of node j of tree t: global[offset[t] + j]. */
  global: Int32Array;
  offset: Int32Array;
  /** Global ids are level order; levelStart[h] is the first id of height h. */
  levelStart: Int32Array;
}

function number(op: string, trees: readonly Tree[], words: WordIds): Numbered {
  if (!Array.isArray(trees) || trees.length === 0) throw fail('E_ARGUMENT', `${op}: trees must be a non-empty array of trees, got ${describe(trees)}`);
  if (typeof words?.id !== 'function') throw fail('E_ARGUMENT', `${op}: words must map a word to its id (e.g. a Vocab), got ${describe(words)}`);
  const offset = new Int32Array(trees.length + 1);
  trees.forEach((t, i) => {
    if (!(t?.childStart instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: trees[${i}] must be a Tree (from parseTree), got ${describe(t)}`);
    offset[i + 1] = offset[i] + t.size;
  });
  const n = offset[trees.length];
  const height = new Int32Array(n);
  let maxHeight = 0;
  trees.forEach((t, i) => {
    const h = heights(t);
    height.set(h, offset[i]);
    maxHeight = Math.max(maxHeight, h[0]);
  });
  // A counting sort by height, stable in (tree, node) order.
  const levelStart = new Int32Array(maxHeight + 2);
  for (let g = 0; g < n; g++) levelStart[height[g] + 1]++;
  for (let h = 0; h <= maxHeight; h++) levelStart[h + 1] += levelStart[h];
  const fill = levelStart.slice(0, maxHeight + 1);
  const global = new Int32Array(n);
  const tree = new Int32Array(n);
  const node = new Int32Array(n);
  const labels = new Int32Array(n);
  for (let t = 0; t < trees.length; t++) {
    for (let j = 0; j < trees[t].size; j++) {
      const g = fill[height[offset[t] + j]]++;
      global[offset[t] + j] = g;
      tree[g] = t;
      node[g] = j;
      labels[g] = trees[t].labels[j];
    }
  }
  const numLeaves = levelStart[1];
  const leafWords = new Int32Array(numLeaves);
  for (let g = 0; g < numLeaves; g++) {
    const id = words.id(trees[tree[g]].words[node[g]]);
    if (!Number.isInteger(id) || id < 0) throw fail('E_ARGUMENT', `${op}: words.id(${JSON.stringify(trees[tree[g]].words[node[g]])}) must be a non-negative integer, got ${describe(id)}`);
    leafWords[g] = id;
  }
  const roots = Int32Array.from(trees, (_, t) => global[offset[t]]);
  return {
    base: { numNodes: n, leaves: { nodes: range(0, numLeaves), words: leafWords }, labels, roots, tree, node },
    global, offset, levelStart,
  };
}

function range(a: number, b: number): Int32Array {
  return Int32Array.from({ length: b - a }, (_, i) => a + i);
}

/**
 * The level schedule of a minibatch of binary trees (every inner node has two children; see
 * `binarize`). Global ids are in level order: leaves 0 … L−1, then level 1, and so on, so
 * `concat` of the per-level outputs is already the node buffer in global order.
 *
 * @example
 * const s = levelSchedule(parseTrees(text), vocab);
 * s.levels[0].left;   // global ids of the left children of the height-1 nodes
 */
export function levelSchedule(trees: readonly Tree[], words: WordIds): LevelSchedule {
  const { base, global, offset, levelStart } = number('levelSchedule', trees, words);
  const levels: BinaryLevel[] = [];
  for (let h = 1; h + 1 < levelStart.length; h++) {
    const nodes = range(levelStart[h], levelStart[h + 1]);
    const left = new Int32Array(nodes.length);
    const right = new Int32Array(nodes.length);
    for (let r = 0; r < nodes.length; r++) {
      const g = nodes[r];
      const t = trees[base.tree[g]], j = base.node[g];
      const k = t.childStart[j + 1] - t.childStart[j];
      if (k !== 2) {
        throw fail('E_ARGUMENT', `levelSchedule: node ${j} of trees[${base.tree[g]}] has ${k} child${k === 1 ? '' : 'ren'}; binary models need exactly 2 at every inner node (binarize the tree first)`);
      }
      left[r] = global[offset[base.tree[g]] + t.children[t.childStart[j]]];
      right[r] = global[offset[base.tree[g]] + t.children[t.childStart[j] + 1]];
    }
    levels.push({ nodes, left, right });
  }
  return { ...base, levels };
}

/** The level schedule of trees with any number of children per node (as levelSchedule, with child lists). */
export function childListSchedule(trees: readonly Tree[], words: WordIds): ChildListSchedule {
  const { base, global, offset, levelStart } = number('childListSchedule', trees, words);
  const levels: ChildListLevel[] = [];
  for (let h = 1; h + 1 < levelStart.length; h++) {
    const nodes = range(levelStart[h], levelStart[h + 1]);
    const childStart = new Int32Array(nodes.length + 1);
    const children: number[] = [];
    for (let r = 0; r < nodes.length; r++) {
      const g = nodes[r];
      const t = trees[base.tree[g]], j = base.node[g];
      for (let c = t.childStart[j]; c < t.childStart[j + 1]; c++) children.push(global[offset[base.tree[g]] + t.children[c]]);
      childStart[r + 1] = children.length;
    }
    levels.push({ nodes, childStart, children: Int32Array.from(children) });
  }
  return { ...base, levels };
}
