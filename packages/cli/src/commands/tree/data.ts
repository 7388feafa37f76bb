import { EddyError } from '@eddy/autograd';
import {
  binarize, childListSchedule, levelSchedule, parseTree, parseTrees, treeFromParents, treeFromTokens, NO_LABEL,
  type ChildListSchedule, type LevelSchedule, type Tree, type WordIds,
} from '@eddy/text';
import { readDataFile, type Corpus } from '../../corpus.js';
import { CliError, reason } from '../../errors.js';
import type { TreeModelKind } from './spec.js';

// Trees as the tree commands read them: one bracketed tree per line, checked, then prepared for the
// model — binarised (right-branching, unary chains merged) for the binary models, as they are for the
// child-sum Tree-LSTM — and, for a --binary model, mapped to SST's binary labels.

/** SST's neutral label, dropped or unsupervised by --binary. */
export const NEUTRAL = 2;

/** A file of trees as read: the file, and its trees with the line each came from. */
export interface TreeFile {
  corpus: Corpus;
  trees: Tree[];
  /** The line (from 1) of each tree. */
  lines: number[];
}

/**
 * Reads `path` (`what`: "the training file", …; `verb`: "train on", …) as one labelled tree per
 * line whose labels are below `classes`. Malformed brackets, an empty line, a file without trees
 * and a label out of range each end in one sentence naming the file and the line.
 */
export function readTreeFile(path: string, what: string, verb: string, classes: number): TreeFile {
  const corpus = readDataFile(path, what, verb);
  let trees: Tree[];
  try {
    trees = parseTrees(corpus.text);
  } catch (e) {
    if (!(e instanceof EddyError) || e.code !== 'E_FORMAT') throw e;
    throw new CliError(`${what} ${path} ${reason(e).replace(/^parseTrees: /, 'has a bad tree: ')}; give one bracketed tree per line, e.g. (3 (2 It) (4 great)).`);
  }
  trees.forEach((t, i) => {
    const bad = t.labels.findIndex((y) => y !== NO_LABEL && y >= classes);
    if (bad >= 0) {
      throw new CliError(
        `${what} ${path} has the label ${t.labels[bad]} on line ${i + 1}, but the labels must be 0 … ${classes - 1} (--classes ${classes}); fix the line, or train with more --classes.`,
      );
    }
  });
  return { corpus, trees, lines: trees.map((_, i) => i + 1) };
}

/** Whether the model composes binary trees (all but the child-sum Tree-LSTM). */
export function isBinaryModel(kind: TreeModelKind): boolean {
  return kind !== 'child-sum-tree-lstm';
}

/** A tree in the form `kind` reads: binarised right-branching for binary models, as it is otherwise. */
export function prepareTree(tree: Tree, kind: TreeModelKind): Tree {
  return isBinaryModel(kind) ? binarize(tree, 'right') : tree;
}

/** SST's binary label of a five-class one: 0–1 → 0 (negative), 3–4 → 1 (positive), 2 → none. */
export function binaryLabel(y: number): number {
  return y === NO_LABEL || y === NEUTRAL ? NO_LABEL : y < NEUTRAL ? 0 : 1;
}

/**
 * The trees of a --binary model (Tai et al.'s binary task): trees whose root is neutral or
 * unlabelled are dropped, the others relabelled with `binaryLabel` (neutral nodes unsupervised).
 */
export function binaryTrees(file: TreeFile): TreeFile {
  const trees: Tree[] = [];
  const lines: number[] = [];
  file.trees.forEach((t, i) => {
    if (binaryLabel(t.labels[0]) === NO_LABEL) return;
    const parents = new Int32Array(t.size).fill(-1);
    for (let p = 0; p < t.size; p++) for (let k = t.childStart[p]; k < t.childStart[p + 1]; k++) parents[t.children[k]] = p;
    trees.push(treeFromParents(parents, Int32Array.from(t.labels, binaryLabel), t.words));
    lines.push(file.lines[i]);
  });
  return { corpus: file.corpus, trees, lines };
}

/** The trees a model of `kind` (binary: a --binary model) reads from `file`. */
export function modelTrees(file: TreeFile, kind: TreeModelKind, binary: boolean): TreeFile {
  const chosen = binary ? binaryTrees(file) : file;
  return { ...chosen, trees: chosen.trees.map((t) => prepareTree(t, kind)) };
}

/** The level schedule of a minibatch of prepared trees for a model of `kind`. */
export function treeBatch(trees: readonly Tree[], words: WordIds, kind: TreeModelKind): LevelSchedule | ChildListSchedule {
  return isBinaryModel(kind) ? levelSchedule(trees, words) : childListSchedule(trees, words);
}

/**
 * One line `eddy tree predict` reads: a bracketed tree (labels ignored) when it starts with '(',
 * else whitespace-separated tokens made a right-branching binary tree (brackets in a token become
 * PTB's -LRB- and -RRB-, as SST writes them). An empty line, or a tree
 * that does not parse, ends in one sentence naming the line.
 */
export function inputTree(line: string, at: number, where: string): Tree {
  const text = line.trim();
  if (text === '') throw new CliError(`${where} line ${at} is empty; give one bracketed tree or one sentence per line.`);
  // Brackets in plain text are PTB's escapes, as in SST's own trees.
  if (!text.startsWith('(')) return treeFromTokens(text.split(/\s+/).map((w) => w.replaceAll('(', '-LRB-').replaceAll(')', '-RRB-')), 'right');
  try {
    return parseTree(text);
  } catch (e) {
    if (!(e instanceof EddyError) || e.code !== 'E_FORMAT') throw e;
    throw new CliError(`${where} line ${at} is not a tree: ${reason(e).replace(/^parseTree: (line 1, )?/, '')}; give one bracketed tree or one sentence per line.`);
  }
}
