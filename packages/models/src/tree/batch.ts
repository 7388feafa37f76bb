import { apply, getCore, tensor, zeros, type Function, type Tensor } from '@eddy/autograd';
import { embeddingGather, embeddingScatterAdd, empty } from '@eddy/autograd/internal';
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

/**
 * The states of one component (h, or c) of a batch's nodes, level by level as they are computed,
 * and the gradient that gathers scatter into them. Each published level's rows are also copied
 * (one contiguous copy) into `store`, a block of every level's rows in publication order, so that a
 * gather is one row-gather kernel call over it; their backward adds into one gradient block with
 * the same rows (one scatter-add kernel call per gather), of which each level's output gets its
 * rows once (by its `publish` node, which
 * the tape runs after every gather that read the level). A gather's cost is therefore its rows,
 * never the size of the levels it reads (a dense gradient per level per gather would cost
 * O(nodes · levels): the leaves are read by almost every level).
 */
class LevelStates {
  readonly outputs: Tensor[] = [];
  /** Per level, the first row of its block in `grad`. */
  readonly start: number[] = [];
  /** Per level, whether a gather's backward has added into its block. */
  readonly read: boolean[] = [];
  /** Rows of every level published so far. */
  rows = 0;
  /** The gathers' gradient for every published row, [rows, W]; made by the first gather backward. */
  grad: Tensor | null = null;
  /** Per level, a [1] token: a gather lists the tokens of the levels it reads as its inputs. */
  readonly tokens: Tensor[] = [];
  /** Every published row, [capacity, W], level after level (row `start[l] + r` is row r of level l). */
  readonly store: Tensor;

  constructor(
    readonly where: { level: Int32Array; row: Int32Array },
    readonly width: number,
    /** Rows of all the levels that will be published. */
    readonly capacity: number,
  ) {
    // Rows are read only once published: no zero fill.
    this.store = empty(getCore(), [capacity, width]);
  }

  /** Records the output of the next level; its token carries the gathers' gradient back to it. */
  publish(out: Tensor): void {
    if (this.rows + out.shape[0] > this.capacity) throw fail('E_ARGUMENT', `LevelStates.publish: ${this.rows + out.shape[0]} rows published, room for ${this.capacity}`);
    this.tokens.push(apply(PublishFn, [out], { states: this, level: this.outputs.length }));
    this.start.push(this.rows);
    this.read.push(false);
    const f32 = out.core.arena.f32, at = (this.store.ptr >>> 2) + this.rows * this.width;
    f32.copyWithin(at, out.ptr >>> 2, (out.ptr >>> 2) + out.size);
    this.rows += out.shape[0];
    this.outputs.push(out);
  }

  /** The store rows of the nodes `ids` (global ids), as an int32 tensor for the gather kernels. */
  storeRows(ids: Int32Array): Tensor {
    const { level, row } = this.where, { start } = this;
    const at = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) at[i] = start[level[ids[i]]] + row[ids[i]];
    return tensor(at, [at.length], { dtype: 'int32' });
  }
}

interface Published {
  states: LevelStates;
  level: number;
}

const PublishFn: Function<Published, Published> = {
  name: 'treeLevel',
  forward: (ctx, _out, o) => {
    ctx.saved = o;
    return zeros([1]);
  },
  backward: (ctx) => {
    const { states, level } = ctx.saved!;
    if (!states.read[level]) return [null];
    // This level's rows of the shared block, as the gradient of its output.
    const out = states.outputs[level], w = states.width;
    const g = empty(out.core, out.shape);
    const from = (states.grad!.ptr >>> 2) + states.start[level] * w;
    g.core.arena.f32.copyWithin(g.ptr >>> 2, from, from + out.size);
    return [g];
  },
};

interface GatherOptions {
  states: LevelStates;
  /** Global ids, `per` for each output row. */
  ids: Int32Array;
  per: number;
  /** The levels whose tokens are the inputs, in input order. */
  read: Int32Array;
}

interface GatherSaved extends GatherOptions {
  /** The ids' rows in the store (and in the gradient block, which has the same rows). */
  rows: Tensor;
}

// out[i, p·W … (p+1)·W) = the state of node ids[i·per + p]: forward one row-gather kernel call on
// the store, backward one scatter-add of all rows into the shared gradient block.
const GatherNodesFn: Function<GatherOptions, GatherSaved> = {
  name: 'gatherNodes',
  forward: (ctx, _tokens, o) => {
    const { states } = o, w = states.width;
    const rows = states.storeRows(o.ids);
    ctx.saved = { ...o, rows };
    // Every row is copied in: no zero fill.
    const out = empty(states.store.core, [o.ids.length / o.per, o.per * w]);
    embeddingGather(out.core, { n: o.ids.length, v: states.rows, d: w, ids: rows.ptr, table: states.store.ptr, out: out.ptr });
    return out;
  },
  backward: (ctx, [g]) => {
    const { states, rows, read } = ctx.saved!;
    states.grad ??= zeros([states.rows, states.width]);
    for (const l of read) states.read[l] = true;
    embeddingScatterAdd(g!.core, { n: rows.size, v: states.rows, d: states.width, ids: rows.ptr, grad: g!.ptr, dtable: states.grad.ptr });
    // The tokens' own gradient only has to reach their publish nodes; its value is never read.
    const token = zeros([1]);
    return ctx.inputs.map(() => token);
  },
};

/** The tokens of the levels that `ids` read, and those levels (ascending). */
function readLevels(states: LevelStates, ids: Int32Array): Int32Array {
  const used = new Uint8Array(states.outputs.length);
  for (let i = 0; i < ids.length; i++) used[states.where.level[ids[i]]] = 1;
  const read: number[] = [];
  used.forEach((u, l) => u && read.push(l));
  return Int32Array.from(read);
}

/** Gathers rows of published levels (see LevelStates): [ids.length / per, per·W]. */
function gatherFrom(states: LevelStates, ids: Int32Array, per: number): Tensor {
  const read = readLevels(states, ids);
  return apply(GatherNodesFn, Array.from(read, (l) => states.tokens[l]), { states, ids, per, read });
}

/**
 * Gathers the states of the nodes `ids` (global ids, `per` per output row, side by side) from the
 * per-level outputs `levels` ([rows of level l, W] each): [ids.length / per, per·W]. Its gradient
 * scatter-adds back into the levels that were read.
 */
export function gatherNodes(levels: readonly Tensor[], where: { level: Int32Array; row: Int32Array }, ids: Int32Array, per: number): Tensor {
  const states = new LevelStates(where, levels[0].shape[1], levels.reduce((n, l) => n + l.shape[0], 0));
  for (const l of levels) states.publish(l);
  return gatherFrom(states, ids, per);
}

export { LevelStates, gatherFrom };

/** What the runner needs of a batch, worked out once before the levels run. */
export interface LevelPlan {
  /** Word ids to embed: one per distinct word when leaves are shared, else one per leaf. */
  leafWords: Int32Array;
  /** Where the gathers find every node's state (the leaves' rows are the shared rows). */
  stateWhere: { level: Int32Array; row: Int32Array };
  /** Per level, the children to gather: [left; right] pairs (per = 2) or the child lists (per = 1). */
  childIds: Int32Array[];
  per: number;
  /** 0 … numNodes − 1: the rows of the runner's output. */
  nodeIds: Int32Array;
}

/**
 * The batch's level plan. With `shareLeaves` (no dropout on the word vectors), a leaf's state is a
 * function of its word alone, so it is computed once per distinct word of the batch and gathered
 * wherever the word occurs; the gathers' gradients add up per word, as the per-leaf ones would.
 * (SST: ≈ 1 900 leaves per 100 sentences, ≈ 900 distinct words.)
 */
export function planLevels(batch: TreeBatch | ChildListBatch, where: { level: Int32Array; row: Int32Array }, childLists: boolean, shareLeaves: boolean): LevelPlan {
  const words = batch.leaves.words;
  let leafWords = words, stateWhere = where;
  if (shareLeaves) {
    // Leaf g's state is row rowOf(word of g) of the leaves' output.
    const rowOf = new Map<number, number>();
    const row = where.row.slice();
    for (let r = 0; r < words.length; r++) {
      let shared = rowOf.get(words[r]);
      if (shared === undefined) rowOf.set(words[r], (shared = rowOf.size));
      row[batch.leaves.nodes[r]] = shared;
    }
    leafWords = Int32Array.from(rowOf.keys());
    stateWhere = { level: where.level, row };
  }
  const levels: ReadonlyArray<TreeBatch['levels'][number] | ChildListBatch['levels'][number]> = batch.levels;
  const childIds = levels.map((lv) => {
    if (childLists) return (lv as ChildListBatch['levels'][number]).children;
    const { left, right } = lv as TreeBatch['levels'][number];
    const ids = new Int32Array(2 * left.length);
    for (let r = 0; r < left.length; r++) (ids[2 * r] = left[r]), (ids[2 * r + 1] = right[r]);
    return ids;
  });
  const nodeIds = new Int32Array(batch.numNodes);
  for (let g = 0; g < nodeIds.length; g++) nodeIds[g] = g;
  return { leafWords, stateWhere, childIds, per: childLists ? 1 : 2, nodeIds };
}

// out[r] = Σ x[c] over c in [childStart[r], childStart[r + 1]); backward copies g[r] to each of
// those rows. As a GEMM with a constant [M, K] 0/1 matrix it would cost M·K·W multiply-adds, almost
// all of them by zero.
const SegmentSumFn: Function<Int32Array, Int32Array> = {
  name: 'segmentSum',
  forward: (ctx, [x], childStart) => {
    ctx.saved = childStart;
    const m = childStart.length - 1, w = x.shape[1];
    const out = zeros([m, w]);
    const f = out.core.arena.f32;
    const px = x.ptr >>> 2, po = out.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      for (let c = childStart[r]; c < childStart[r + 1]; c++) {
        for (let k = 0, to = po + r * w, from = px + c * w; k < w; k++) f[to + k] += f[from + k];
      }
    }
    return out;
  },
  backward: (ctx, [g]) => {
    const childStart = ctx.saved!, x = ctx.inputs[0];
    const w = x.shape[1];
    const dx = zeros(x.shape);
    const f = dx.core.arena.f32;
    const pg = g!.ptr >>> 2, pd = dx.ptr >>> 2;
    for (let r = 0; r + 1 < childStart.length; r++) {
      for (let c = childStart[r]; c < childStart[r + 1]; c++) f.copyWithin(pd + c * w, pg + r * w, pg + (r + 1) * w);
    }
    return [dx];
  },
};

/** Per-parent sums of child rows x [K, W] (node r's children are rows childStart[r] … childStart[r + 1]): [M, W]. */
export function segmentSum(x: Tensor, childStart: Int32Array): Tensor {
  return apply(SegmentSumFn, [x], childStart);
}
