import { noGrad, ready, scope } from '@eddy/autograd';
import type { TreeModel } from '@eddy/models';
import { toBracketString, type Tree, type WordIds } from '@eddy/text';
import { readInputLines } from '../../input-lines.js';
import { ChunkedOutput } from '../../output-lines.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { readBestTreeModel } from './checkpoint.js';
import { inputTree, prepareTree, treeBatch } from './data.js';
import type { TreeModelKind } from './spec.js';

/**
 * The classifier's logits at every node of every tree (prepared for `kind`), batched by level
 * `batchSize` trees at a time in evaluation mode (no dropout): per tree, [size, C] row-major in
 * the tree's node order.
 */
export function treeLogits(model: TreeModel, trees: readonly Tree[], words: WordIds, kind: TreeModelKind, batchSize: number): Float32Array[] {
  const C = model.numClasses;
  const out = trees.map((t) => new Float32Array(t.size * C));
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < trees.length; start += batchSize) {
      const batch = treeBatch(trees.slice(start, start + batchSize), words, kind);
      const logits = noGrad(() => scope(() => model.forward(batch).logits.toFloat32Array()));
      for (let g = 0; g < batch.numNodes; g++) out[start + batch.tree[g]].set(logits.subarray(g * C, (g + 1) * C), batch.node[g] * C);
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** The index of the largest of `logits[at … at + n)` among `classes` (all n when absent); ties go to the first. */
export function argmaxAt(logits: Float32Array, at: number, classes: readonly number[]): number {
  let best = classes[0];
  for (const c of classes) if (logits[at + c] > logits[at + best]) best = c;
  return best;
}

/** `eddy tree predict DIR [--input FILE] [--json]`: each tree with the predicted label at every node, in order. */
export async function runTreePredict(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const ck = readBestTreeModel(args.positionals[0]);
  try {
    const input = args.optionalString('input');
    const where = input === undefined ? 'stdin' : `the input file ${input}`;
    const kind = ck.config.training.model;
    const trees = readInputLines(input, 'trees or sentences').map((line, i) => prepareTree(inputTree(line, i + 1, where), kind));
    const logits = treeLogits(ck.model, trees, ck.tokenizer.vocab, kind, args.number('batch'));
    const all = Array.from({ length: ck.model.numClasses }, (_, c) => c);
    const json = args.flag('json');
    const out = new ChunkedOutput(io.stdout);
    trees.forEach((t, i) => {
      const labels = Int32Array.from({ length: t.size }, (_, j) => argmaxAt(logits[i], j * all.length, all));
      const bracketed = toBracketString(t, labels);
      out.write(json ? JSON.stringify({ tree: bracketed, label: labels[0] }) + '\n' : bracketed + '\n');
    });
    out.end();
  } finally {
    ck.model.dispose();
  }
  return 0;
}
