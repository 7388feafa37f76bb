import { describe, expect, it } from 'vitest';
import { layoutTree, SentimentTrees } from './sentiment-trees.js';
import { phraseOf } from './treebank.js';

describe('SentimentTrees', () => {
  it('lays a tree out leaves left to right, parents centred above their children', () => {
    const tree = phraseOf('the film is good')!;    // (· (· the film) (· is good))
    const nodes = layoutTree(tree, new Int32Array(tree.size));
    const leaves = nodes.filter((n) => n.word !== '');
    expect(leaves.map((n) => n.word)).toEqual(['the', 'film', 'is', 'good']);
    expect(leaves.map((n) => n.x)).toEqual([...leaves.map((n) => n.x)].sort((a, b) => a - b));
    expect(nodes[0].parent).toBe(-1);
    expect(nodes[0].y).toBeLessThan(leaves[0].y);
    for (const n of nodes.slice(1)) expect(nodes[n.parent].y).toBeLessThan(n.y);
  });

  it('learns the treebank: the loss falls and every node of a sentence gets a class', async () => {
    const trees = new SentimentTrees({ trees: 100, seed: 1 });
    const losses: number[] = [];
    await trees.train({ steps: 40, onEvent: (e) => e.type === 'step' && losses.push(e.loss) });
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]);
    const drawn = trees.predict('the plot is not very good')!;
    expect(drawn).toHaveLength(phraseOf('the plot is not very good')!.size);
    expect(drawn.every((n) => n.predicted >= 0 && n.predicted <= 2)).toBe(true);
    expect(trees.predict('good good good')).toBeNull();
  });
});
