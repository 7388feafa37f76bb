import { fail } from '../errors.js';
import { NO_LABEL, type Tree } from './tree.js';

/**
 * The tree in the bracket notation `parseTree` reads: `(label word)` at leaves, `(label child …)`
 * above, the label left out where it is NO_LABEL; `parseTree(toBracketString(t))` equals t up to
 * node numbering (preorder). `labels`, if given, replaces the tree's own (e.g. predictions).
 * Iterative, so any depth is fine.
 */
export function toBracketString(tree: Tree, labels: ArrayLike<number> = tree.labels): string {
  if (labels.length !== tree.size) throw fail('E_ARGUMENT', `toBracketString: labels must have one entry per node (${tree.size}), got ${labels.length}`);
  const parts: string[] = [];
  // A positive entry opens node i; the complement ~i closes it.
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (i < 0) {
      parts.push(')');
      continue;
    }
    // Siblings are separated by a space, and a labelled node's children from its label.
    if (parts.length > 0 && parts[parts.length - 1] !== '(') parts.push(' ');
    const label = labels[i];
    const head = label === NO_LABEL ? '(' : `(${label} `;
    const word = tree.words[i];
    if (word !== '') {
      if (/[\s()]/.test(word)) throw fail('E_ARGUMENT', `toBracketString: the word ${JSON.stringify(word)} of node ${i} contains a space or a parenthesis`);
      parts.push(head, word, ')');
    } else {
      parts.push(label === NO_LABEL ? '(' : `(${label}`);
      stack.push(~i);
      for (let j = tree.childStart[i + 1] - 1; j >= tree.childStart[i]; j--) stack.push(tree.children[j]);
    }
  }
  return parts.join('');
}
