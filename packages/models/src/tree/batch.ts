import { apply, zeros, type Function, type Tensor } from '@eddy/autograd';
import { describe, fail } from '../errors.js';

/**
 * A minibatch of binary trees as a level schedule — what `levelSchedule` of @eddy/text returns
 * (models does not depend on text; any object of this shape will do). Global node ids index one
 * node buffer; every child is a leaf or in an earlier level.
 */
export interface TreeBatch {
  readonly numNodes: number;
  readonly leaves: { readonly nodes: Int32Array; readonly words: Int32Array };
  readonly levels: ReadonlyArray<{ readonly nodes: Int32Array; readonly left: Int32Array; readonly right: Int32Array }>;
  /** Class of every global node, −1 where unlabelled. */
  readonly labels: Int32Array;
  /** Global id of each tree's root. */
  readonly roots: Int32Array;
}

/**
 * A minibatch of trees with any number of children per node — what `childListSchedule` of
 * @eddy/text returns: level node r's children are `children[childStart[r] … childStart[r + 1])`.
 */
export interface ChildListBatch extends Omit<TreeBatch, 'levels'> {
  readonly levels: ReadonlyArray<{ readonly nodes: Int32Array; readonly childStart: Int32Array; readonly children: Int32Array }>;
}

/** The child ids of one level, whichever the schedule's form: [left; right] per node, or the child lists. */
function levelChildren(op: string, lv: TreeBatch['levels'][number] | ChildListBatch['levels'][number], l: number, childLists: boolean): Int32Array[] {
  if (!childLists) {
    const b = lv as TreeBatch['levels'][number];
    for (const side of [b.left, b.right]) {
      if (!(side instanceof Int32Array) || side.length !== lv.nodes.length) throw fail('E_ARGUMENT', `${op}: level ${l + 1} must have a left and a right child per node (levelSchedule of @eddy/text)`);
    }
    return [b.left, b.right];
  }
  const { childStart, children } = lv as ChildListBatch['levels'][number];
  const m = lv.nodes.length;
  if (!(childStart instanceof Int32Array) || !(children instanceof Int32Array) || childStart.length !== m + 1 || childStart[0] !== 0 || childStart[m] !== children.length) {
    throw fail('E_ARGUMENT', `${op}: level ${l + 1} must list its nodes' children (childListSchedule of @eddy/text)`);
  }
  for (let r = 0; r < m; r++) {
    if (!(childStart[r + 1] > childStart[r])) throw fail('E_ARGUMENT', `${op}: node ${lv.nodes[r]} of level ${l + 1} must have at least one child, got ${childStart[r + 1] - childStart[r]}`);
  }
  return [children];
}

/**
 * Where every global node's state lives once computed: `level[g]` (0 = leaves) and `row[g]` in that
 * level's output, checking on the way that every node is computed once and every child before its
 * parent (E_ARGUMENT otherwise, naming the node).
 */
export function locateNodes(op: string, batch: TreeBatch | ChildListBatch, childLists = false): { level: Int32Array; row: Int32Array } {
  if (batch === null || typeof batch !== 'object' || !(batch.leaves?.nodes instanceof Int32Array) || !Array.isArray(batch.levels)) {
    throw fail('E_ARGUMENT', `${op}: batch must be a level schedule (${childLists ? 'childListSchedule' : 'levelSchedule'} of @eddy/text), got ${describe(batch)}`);
  }
  const n = batch.numNodes;
  const level = new Int32Array(n).fill(-1);
  const row = new Int32Array(n);
  const place = (g: number, l: number, r: number) => {
    if (!(g >= 0 && g < n) || level[g] !== -1) throw fail('E_ARGUMENT', `${op}: node ${g} is outside [0, ${n}) or scheduled twice`);
    level[g] = l;
    row[g] = r;
  };
  batch.leaves.nodes.forEach((g, r) => place(g, 0, r));
  if (batch.leaves.words.length !== batch.leaves.nodes.length) throw fail('E_ARGUMENT', `${op}: batch.leaves.words must have one id per leaf`);
  const levels: ReadonlyArray<TreeBatch['levels'][number] | ChildListBatch['levels'][number]> = batch.levels;
  levels.forEach((lv, l) => {
    for (const side of levelChildren(op, lv, l, childLists)) {
      for (const c of side) {
        if (!(c >= 0 && c < n) || level[c] === -1) throw fail('E_ARGUMENT', `${op}: child ${c} of level ${l + 1} is not computed before it`);
      }
    }
    lv.nodes.forEach((g, r) => place(g, l + 1, r));
  });
  const missing = level.indexOf(-1);
  if (missing >= 0) throw fail('E_ARGUMENT', `${op}: node ${missing} is in no level`);
  if (batch.labels.length !== n) throw fail('E_ARGUMENT', `${op}: batch.labels must have one entry per node (${n}), got ${batch.labels.length}`);
  return { level, row };
}

interface GatherOptions {
  level: Int32Array;
  row: Int32Array;
  /** Global ids, `per` for each output row. */
  ids: Int32Array;
  per: number;
  width: number;
}

// out[i, p·W … (p+1)·W) = the state of node ids[i·per + p], read from the output of its level. One
// copy per row forward and one scatter-add per row backward: the node buffer is never concatenated
// level by level, which would cost O(nodes · levels) copies and memory.
const GatherNodesFn: Function<GatherOptions, GatherOptions> = {
  name: 'gatherNodes',
  forward: (ctx, levels, o) => {
    ctx.saved = o;
    const out = zeros([o.ids.length / o.per, o.per * o.width]);
    const f = out.core.arena.f32;
    const po = out.ptr >>> 2, w = o.width;
    for (let i = 0; i < o.ids.length; i++) {
      const g = o.ids[i];
      const from = (levels[o.level[g]].ptr >>> 2) + o.row[g] * w;
      f.copyWithin(po + i * w, from, from + w);
    }
    return out;
  },
  backward: (ctx, [g]) => {
    const o = ctx.saved!;
    const used = new Array<boolean>(ctx.inputs.length).fill(false);
    for (let i = 0; i < o.ids.length; i++) used[o.level[o.ids[i]]] = true;
    const dx = ctx.inputs.map((x, j) => (ctx.needsGrad[j] && used[j] ? zeros(x.shape) : null));
    const f = g!.core.arena.f32;
    const pg = g!.ptr >>> 2, w = o.width;
    for (let i = 0; i < o.ids.length; i++) {
      const d = dx[o.level[o.ids[i]]];
      if (d === null) continue;
      const to = (d.ptr >>> 2) + o.row[o.ids[i]] * w;
      for (let k = 0; k < w; k++) f[to + k] += f[pg + i * w + k];
    }
    return dx;
  },
};

/**
 * Gathers the states of the nodes `ids` (global ids, `per` per output row, side by side) from the
 * per-level outputs `levels` ([rows of level l, W] each): [ids.length / per, per·W]. Its gradient
 * scatter-adds back into the levels that were read.
 */
export function gatherNodes(levels: readonly Tensor[], where: { level: Int32Array; row: Int32Array }, ids: Int32Array, per: number): Tensor {
  const width = levels[0].shape[1];
  return apply(GatherNodesFn, levels, { level: where.level, row: where.row, ids, per, width });
}
