import { ready } from '@eddy/autograd';
import type { TreeModel } from '@eddy/models';
import { NO_LABEL, type Tree, type WordIds } from '@eddy/text';
import { CliError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { readBestTreeModel } from './checkpoint.js';
import { modelTrees, NEUTRAL, readTreeFile } from './data.js';
import { argmaxAt, treeLogits } from './predict.js';
import type { TreeModelKind } from './spec.js';

/** What `eddy tree eval` reports; accuracies are fractions in [0, 1] (null: nothing to count). */
export interface TreeMetrics {
  rootAccuracy: number | null;
  allAccuracy: number | null;
  binaryRootAccuracy: number | null;
  binaryAllAccuracy: number | null;
  /** Trees evaluated, and their labelled nodes. */
  trees: number;
  nodes: number;
}

/** The classes SST's binary figures take the argmax over: all but neutral. */
const POLAR = [0, 1, 3, 4];

/**
 * Root and all-node accuracy of `model` on `trees` (prepared for `kind`, labels as the model's:
 * binary for a --binary model). For a five-class model also SST's binary figures: over the nodes
 * whose gold label is not neutral, positive (3, 4) against negative (0, 1), the prediction the
 * argmax over the classes 0, 1, 3, 4; a two-class (--binary) model's binary figures are its plain ones.
 */
export function treeMetrics(model: TreeModel, trees: readonly Tree[], words: WordIds, kind: TreeModelKind, batchSize: number): TreeMetrics {
  const C = model.numClasses;
  const logits = treeLogits(model, trees, words, kind, batchSize);
  const all = Array.from({ length: C }, (_, c) => c);
  const count = { root: 0, rootRight: 0, node: 0, nodeRight: 0, binRoot: 0, binRootRight: 0, binNode: 0, binNodeRight: 0 };
  trees.forEach((t, i) => {
    for (let j = 0; j < t.size; j++) {
      const gold = t.labels[j];
      if (gold === NO_LABEL) continue;
      const right = argmaxAt(logits[i], j * C, all) === gold ? 1 : 0;
      count.node++;
      count.nodeRight += right;
      if (j === 0) (count.root++, (count.rootRight += right));
      if (C !== 5 || gold === NEUTRAL) continue;
      const binRight = argmaxAt(logits[i], j * C, POLAR) > NEUTRAL === gold > NEUTRAL ? 1 : 0;
      count.binNode++;
      count.binNodeRight += binRight;
      if (j === 0) (count.binRoot++, (count.binRootRight += binRight));
    }
  });
  const frac = (a: number, n: number): number | null => (n === 0 ? null : a / n);
  const binary = C === 2;
  return {
    rootAccuracy: frac(count.rootRight, count.root),
    allAccuracy: frac(count.nodeRight, count.node),
    binaryRootAccuracy: binary ? frac(count.rootRight, count.root) : frac(count.binRootRight, count.binRoot),
    binaryAllAccuracy: binary ? frac(count.nodeRight, count.node) : frac(count.binNodeRight, count.binNode),
    trees: trees.length,
    nodes: count.node,
  };
}

const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(2)}%`);

/** `eddy tree eval DIR FILE [--json]`: root, all-node and SST binary accuracies of the model on FILE. */
export async function runTreeEval(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const [dir, path] = args.positionals;
  const ck = readBestTreeModel(dir);
  try {
    const o = ck.config.training;
    const file = modelTrees(readTreeFile(path, 'the file', 'evaluate', o.classes), o.model, o.binary);
    if (file.trees.length === 0) throw new CliError(`the file ${path} has no tree whose root is positive or negative, so the binary model in ${dir} has nothing to evaluate.`);
    const m = treeMetrics(ck.model, file.trees, ck.tokenizer.vocab, o.model, args.number('batch'));
    if (args.flag('json')) io.stdout.write(JSON.stringify(m) + '\n');
    else {
      io.stdout.write(
        `root accuracy ${percent(m.rootAccuracy)}  all nodes ${percent(m.allAccuracy)}  binary root ${percent(m.binaryRootAccuracy)}  binary all ${percent(m.binaryAllAccuracy)}` +
          `  on ${m.trees} trees (${m.nodes} labelled nodes) of ${path}${o.binary ? ' (binary model: trees with a neutral root left out)' : ''}\n`,
      );
    }
  } finally {
    ck.model.dispose();
  }
  return 0;
}
