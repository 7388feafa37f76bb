import { fail } from '../errors.js';
import { NO_LABEL, treeFromParents, type Tree } from './tree.js';

// PTB / SST bracket notation: `(3 (2 It) (4 (2 's) (3 great)))`. A node is '(' [label] then either
// one word (a leaf) or one or more nodes, then ')'; the label is a non-negative integer and may be
// left out (unlabelled data): `(word)` is an unlabelled leaf, `((2 a) (2 b))` an unlabelled inner
// node. A leaf whose word is itself an integer needs its label: `(2 3)`. Parsing is one pass with
// an explicit stack, so a tree 100 000 levels deep costs no call stack.

const enum State {
  /** Just after '(' : a label, a word or '(' may come. */
  Start,
  /** After one token: it is the label if a word or '(' follows, the word if ')' follows. */
  Pending,
  /** After label and word: only ')' may come. */
  Word,
  /** Among the children: '(' or ')'. */
  Children,
}

interface Open {
  id: number;
  state: State;
  pending: string;
  /** Where the pending token stood (line, column), for messages about it. */
  pendingAt: [number, number];
  /** Where the node opened. */
  line: number;
  column: number;
}

const LABEL = /^\d+$/;
const MAX_LABEL = 2 ** 31 - 1;

function show(token: string): string {
  return token === '(' || token === ')' ? `'${token}'` : JSON.stringify(token);
}

/**
 * Parses one tree in bracket notation (it may span lines). Throws E_FORMAT naming the line, the
 * column, what was expected and what came.
 *
 * @example
 * const t = parseTree('(3 (2 It) (4 (2 \'s) (3 great)))');
 * t.size;              // 5
 * leafWords(t);        // ['It', "'s", 'great']
 */
export function parseTree(text: string): Tree {
  if (typeof text !== 'string') throw fail('E_ARGUMENT', `parseTree: text must be a string, got ${typeof text}`);
  return parseAt('parseTree', text, 1);
}

/**
 * Parses one tree per line (SST's train.txt / dev.txt / test.txt). A final newline is allowed; an
 * empty line, or a file with no tree, is E_FORMAT naming the line.
 */
export function parseTrees(fileText: string): Tree[] {
  if (typeof fileText !== 'string') throw fail('E_ARGUMENT', `parseTrees: fileText must be a string, got ${typeof fileText}`);
  const lines = fileText.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const trees: Tree[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') {
      throw fail('E_FORMAT', `parseTrees: line ${i + 1} is empty; expected one bracketed tree per line${lines.length === 1 ? ' (the file has no trees)' : ''}`);
    }
    trees.push(parseAt('parseTrees', line, i + 1));
  }
  return trees;
}

function parseAt(op: string, text: string, firstLine: number): Tree {
  const parents: number[] = [];
  const labels: number[] = [];
  const words: string[] = [];
  const stack: Open[] = [];
  let done = false;
  let line = firstLine;
  let lineStart = 0;
  const errAt = ([l, c]: [number, number], expected: string, got: string) =>
    fail('E_FORMAT', `${op}: line ${l}, column ${c}: expected ${expected}, got ${got}`);
  const err = (at: number, expected: string, got: string) => errAt([line, at - lineStart + 1], expected, got);

  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      lineStart = ++i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const at = i;
    let token: string;
    if (ch === '(' || ch === ')') {
      token = ch;
      i++;
    } else {
      while (i < n && !' \t\r\n()'.includes(text[i])) i++;
      token = text.slice(at, i);
    }
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    if (top === null) {
      if (done) throw err(at, 'the end of the tree', show(token));
      if (token !== '(') throw err(at, "'(' to start a tree", show(token));
    } else if (token === '(') {
      if (top.state === State.Pending) {
        if (!LABEL.test(top.pending)) throw errAt(top.pendingAt, "a label (a non-negative integer) before a node's children", show(top.pending));
        labels[top.id] = checkLabel(top.pending, () => errAt(top.pendingAt, `a label in [0, ${MAX_LABEL}]`, top.pending));
      } else if (top.state === State.Word) {
        throw err(at, `')' after the word ${show(words[top.id])}`, "'('");
      }
      top.state = State.Children;
    } else if (token === ')') {
      if (top.state === State.Start) throw err(at, "a label, a word or '(' (a node cannot be empty)", "')'");
      if (top.state === State.Pending) words[top.id] = top.pending;
      stack.pop();
      if (stack.length === 0) done = true;
      continue;
    } else {
      if (top.state === State.Start) {
        top.state = State.Pending;
        top.pending = token;
        top.pendingAt = [line, at - lineStart + 1];
      } else if (top.state === State.Pending) {
        if (!LABEL.test(top.pending)) throw err(at, `')' after the word ${show(top.pending)} (a leaf has one word)`, show(token));
        labels[top.id] = checkLabel(top.pending, () => errAt(top.pendingAt, `a label in [0, ${MAX_LABEL}]`, top.pending));
        words[top.id] = token;
        top.state = State.Word;
      } else if (top.state === State.Word) {
        throw err(at, `')' after the word ${show(words[top.id])} (a leaf has one word)`, show(token));
      } else {
        throw err(at, "'(' or ')' (words stand only at leaves, as '(label word)')", show(token));
      }
      continue;
    }
    // token is '(': open a node.
    const id = parents.length;
    parents.push(top === null ? -1 : top.id);
    labels.push(NO_LABEL);
    words.push('');
    stack.push({ id, state: State.Start, pending: '', pendingAt: [line, 0], line, column: at - lineStart + 1 });
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw fail('E_FORMAT', `${op}: line ${line}, column ${i - lineStart + 1}: expected ')' to close the node opened at line ${open.line}, column ${open.column}, got the end of the input`);
  }
  if (!done) throw fail('E_FORMAT', `${op}: line ${line}: expected a tree such as '(3 (2 It) (4 great))', got ${text.trim() === '' ? 'no text' : show(text.trim())}`);
  return treeFromParents(Int32Array.from(parents), Int32Array.from(labels), words);
}

function checkLabel(token: string, error: () => Error): number {
  const v = Number(token);
  if (v > MAX_LABEL) throw error();
  return v;
}
