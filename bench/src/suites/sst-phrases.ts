import { readFileSync, writeFileSync } from 'node:fs';
import { parseTrees, type Tree } from '@eddy/text';

/**
 * SST-2's phrase-level training set, as Kim (2014) trained on it (his `stsa.binary.phrases.train`):
 * every node of the SST training trees whose label is not neutral (2) becomes one example, its words
 * lower-cased and joined by spaces as in `stsa.binary.*`, labels 0–1 → 0 and 3–4 → 1; a phrase seen
 * twice keeps its last label. The sentences of `stsa.binary.train` are the roots among them, so the
 * dev and test sentences stay unseen. Writes the lines to `outFile` and returns how many there are.
 */
export function writeSstPhrases(treeFile: string, outFile: string): number {
  const phrases = new Map<string, number>();
  for (const tree of parseTrees(readFileSync(treeFile, 'utf8'))) collect(tree, phrases);
  writeFileSync(outFile, [...phrases].map(([text, label]) => `${label} ${text}`).join('\n') + '\n');
  return phrases.size;
}

function collect(tree: Tree, phrases: Map<string, number>): void {
  // Children have larger ids than their parent, so one backward pass sees every child's text first.
  const text = new Array<string>(tree.size);
  for (let node = tree.size - 1; node >= 0; node--) {
    const first = tree.childStart[node];
    const end = tree.childStart[node + 1];
    text[node] = first === end ? tree.words[node].toLowerCase() : Array.from(tree.children.subarray(first, end), (c) => text[c]).join(' ');
    const label = tree.labels[node];
    if (label >= 0 && label !== 2) phrases.set(text[node], label < 2 ? 0 : 1);
  }
}
