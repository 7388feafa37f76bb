import { fail, packB, sgemm, sgemmPacked, transpose, type PackedB } from '../backend.js';
import { apply, type Function } from '../function.js';
import { gradMode } from '../tape.js';
import { fmt } from '../shapes.js';
import { checkFloat, coreOf, empty, type Tensor } from '../tensor.js';

// The affine map of a Linear layer, y = x·Wᵀ + b with W stored [out, in] as PyTorch stores it: the
// transpose is a GEMM flag, never a copy, and the bias is written into y before the GEMM adds to it.

interface Sizes {
  rows: number;
  inF: number;
  outF: number;
}

/** dW = Gᵀ·X [out, in]. */
function weightGrad(g: Tensor, x: Tensor, w: Tensor, { rows, inF, outF }: Sizes): Tensor {
  const dw = empty(g.core, w.shape);
  sgemm(g.core, { transA: true, m: outF, n: inF, k: rows, a: g.ptr, b: x.ptr, c: dw.ptr });
  return dw;
}

const LinearFn: Function<Sizes, Sizes> = {
  name: 'linear',
  forward: (ctx, [x, w, b], s) => {
    ctx.saved = s;
    const core = x.core;
    const out = empty(core, [...x.shape.slice(0, -1), s.outF]);
    if (b !== undefined) {
      const f32 = core.arena.f32;
      const bias = f32.subarray(b.ptr >>> 2, (b.ptr >>> 2) + s.outF);
      for (let r = 0, at = out.ptr >>> 2; r < s.rows; r++, at += s.outF) f32.set(bias, at);
    }
    sgemm(core, { transB: true, m: s.rows, n: s.outF, k: s.inF, a: x.ptr, b: w.ptr, beta: b === undefined ? 0 : 1, c: out.ptr });
    return out;
  },
  backward: ({ inputs: [x, w, b], needsGrad, saved }, [g]) => {
    const { rows, inF, outF } = saved!;
    const core = g!.core;
    let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
    if (needsGrad[0]) {
      dx = empty(core, x.shape);
      sgemm(core, { m: rows, n: inF, k: outF, a: g!.ptr, b: w.ptr, c: dx.ptr }); // dX = G·W
    }
    if (needsGrad[1]) dw = weightGrad(g!, x, w, saved!);
    if (b !== undefined && needsGrad[2]) {
      // db = 1ᵀ·G: column sums as one GEMM against a vector of ones.
      const ones = empty(core, [rows]);
      core.arena.f32.fill(1, ones.ptr >>> 2, (ones.ptr >>> 2) + rows);
      db = empty(core, [outF]);
      sgemm(core, { m: 1, n: outF, k: rows, a: ones.ptr, b: g!.ptr, c: db.ptr });
      ones.dispose();
    }
    return b === undefined ? [dx, dw] : [dx, dw, db];
  },
};

/**
 * y = x·Wᵀ + b (PyTorch's `F.linear`): x [..., in], weight [out, in], bias [out] → y [..., out].
 * One GEMM with W transposed by flag; backward dX = G·W, dW = Gᵀ·X, db = Σ_rows G.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  coreOf('linear', x, weight, bias);
  checkFloat('linear', x, 'x');
  checkFloat('linear', weight, 'weight');
  if (weight.shape.length !== 2) throw fail('E_SHAPE', `linear: weight must be [out, in], got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inF) {
    throw fail('E_SHAPE', `linear: x must end in the weight's in-features ${inF}: x ${fmt(x.shape)}, weight ${fmt(weight.shape)}`);
  }
  if (bias !== undefined) {
    checkFloat('linear', bias, 'bias');
    if (bias.shape.length !== 1 || bias.shape[0] !== outF) {
      throw fail('E_SHAPE', `linear: bias must be [${outF}] for weight ${fmt(weight.shape)}, got ${fmt(bias.shape)}`);
    }
  }
  const rows = x.size / inF;
  const inputs = bias === undefined ? [x, weight] : [x, weight, bias];
  return apply(LinearFn, inputs, { rows, inF, outF });
}

/**
 * @internal A weight W [out, in] packed once for many products `linearPacked(x, W)` (a tree
 * model's levels): the forward's Wᵀ and the backward's W are packed into GEMM panels on first use,
 * in the arena scope current then, instead of once per product. Make one per forward pass: the
 * packs are copies, stale once the weight changes. The products' weight gradient is one GEMM over
 * all of them (see WeightGradFn), not one per product.
 */
export class PackedWeight {
  private forwardPack: PackedB | null = null;
  private backwardPack: PackedB | null = null;
  /** The products recorded since the last backward reached W; null before the first. */
  private sink: Sink | null = null;

  constructor(readonly weight: Tensor) {
    checkFloat('PackedWeight', weight, 'weight');
    if (weight.shape.length !== 2) throw fail('E_SHAPE', `PackedWeight: weight must be [out, in], got ${fmt(weight.shape)}`);
  }

  /** Wᵀ packed (the right operand of x·Wᵀ). */
  transposed(): PackedB {
    const [outF, inF] = this.weight.shape;
    return (this.forwardPack ??= packB(this.weight.core, { transB: true, n: outF, k: inF, b: this.weight.ptr }));
  }

  /** W packed (the right operand of dX = G·W). */
  plain(): PackedB {
    const [outF, inF] = this.weight.shape;
    return (this.backwardPack ??= packB(this.weight.core, { n: inF, k: outF, b: this.weight.ptr }));
  }

  /** The sink the next recorded product reports to: a new one once the last one's backward began. */
  sinkForProduct(): Sink {
    const token = this.sink?.token;
    // A new one also once stacking began: the stacks are sized by the products recorded before.
    if (this.sink === null || this.sink.gt !== null || token!.disposed || token!.node === null || token!.node.released) {
      const sink: Sink = { token: null!, products: [], rows: 0, gt: null, xt: null, tokenGradSent: false };
      sink.token = apply(WeightGradFn, [this.weight], sink);
      this.sink = sink;
    }
    return this.sink;
  }
}

/** The products of one pass that read W, for their one weight-gradient GEMM. */
interface Sink {
  /** The [1] output of the WeightGradFn node: every product lists it as its input in W's place. */
  token: Tensor;
  /** Per product in forward order: its input X, its first column in the stacks, whether it is stacked. */
  products: { x: Tensor; at: number; stacked: boolean }[];
  /** Rows of every product so far: the stacks' columns. */
  rows: number;
  /** Gᵀ [out, rows] and Xᵀ [in, rows], made by the first product's backward. */
  gt: Tensor | null;
  xt: Tensor | null;
  /** Whether a product's backward has returned the token's (dummy) gradient yet. */
  tokenGradSent: boolean;
}

// dW = Σ_p G_pᵀ·X_p over the products p of a pass as one GEMM on the rows of all of them stacked,
// [Σ rows, out]ᵀ·[Σ rows, in]. Per product, a tree's small top levels (a few rows) would each
// write the whole [out, in] dW and add it into W's gradient. The rows are stacked transposed, Gᵀ
// [out, Σ rows] and Xᵀ [in, Σ rows], so that both operands run along k (dW = Gᵀ·(Xᵀ)ᵀ, B by the
// transB flag) and the GEMM packs them in streams; G and X as they are would have it gather 16
// bytes per row from rows kilobytes apart (≈ 15 % of the product's time at a tree's sizes). Each
// product's backward stacks its G while it is still in cache (`stack`). The node is recorded
// before every product that reads its token, so the tape runs it after all of their backwards.
const WeightGradFn: Function<Sink, Sink> = {
  name: 'packedWeightGrad',
  forward: (ctx, [w], sink) => {
    ctx.saved = sink;
    const token = empty(w.core, [1]);
    w.core.arena.f32[token.ptr >>> 2] = 0;
    return token;
  },
  backward: (ctx) => {
    const w = ctx.inputs[0], [outF, inF] = w.shape;
    const sink = ctx.saved!;
    const { gt, xt, rows } = sink;
    if (gt === null || xt === null) return [null];
    // A product no gradient reached adds nothing: zero columns (its X, unread, might hold Inf).
    const f32 = w.core.arena.f32;
    for (const p of sink.products) {
      if (p.stacked) continue;
      const r = p.x.size / inF;
      for (let i = 0; i < outF; i++) f32.fill(0, (gt.ptr >>> 2) + i * rows + p.at, (gt.ptr >>> 2) + i * rows + p.at + r);
      for (let i = 0; i < inF; i++) f32.fill(0, (xt.ptr >>> 2) + i * rows + p.at, (xt.ptr >>> 2) + i * rows + p.at + r);
    }
    const dw = empty(w.core, w.shape);
    sgemm(w.core, { transB: true, m: outF, n: inF, k: rows, a: gt.ptr, b: xt.ptr, c: dw.ptr });
    gt.dispose();
    xt.dispose();
    sink.gt = sink.xt = null;
    return [dw];
  },
};

/** Writes product `slot`'s G [r, out] and X [r, in] transposed into its columns of the sink's stacks. */
function stack(sink: Sink, slot: number, g: Tensor, outF: number, inF: number): void {
  const core = g.core, p = sink.products[slot], r = p.x.size / inF;
  sink.gt ??= empty(core, [outF, sink.rows]);
  sink.xt ??= empty(core, [inF, sink.rows]);
  transpose(core, { rows: r, cols: outF, src: g.ptr, dst: sink.gt.ptr + 4 * p.at, ldDst: sink.rows });
  transpose(core, { rows: r, cols: inF, src: p.x.ptr, dst: sink.xt.ptr + 4 * p.at, ldDst: sink.rows });
  p.stacked = true;
}

interface PackedSizes extends Sizes {
  packed: PackedWeight;
  /** Where the weight's gradient goes (null: W needs none). */
  sink: Sink | null;
  /** This product's entry in `sink.products`. */
  slot: number;
}

const LinearPackedFn: Function<PackedSizes, PackedSizes> = {
  name: 'linearPacked',
  forward: (ctx, [x], s) => {
    ctx.saved = s;
    const out = empty(x.core, [...x.shape.slice(0, -1), s.outF]);
    sgemmPacked(x.core, { m: s.rows, n: s.outF, k: s.inF, a: x.ptr, packed: s.packed.transposed(), c: out.ptr });
    return out;
  },
  backward: ({ inputs: [x], needsGrad, saved }, [g]) => {
    const s = saved!;
    let dx: Tensor | null = null;
    if (needsGrad[0]) {
      dx = empty(g!.core, x.shape);
      sgemmPacked(g!.core, { m: s.rows, n: s.inF, k: s.outF, a: g!.ptr, packed: s.packed.plain(), c: dx.ptr }); // dX = G·W
    }
    if (!needsGrad[1] || s.sink === null) return [dx, null];
    // W's gradient waits for the sink; its token needs one (dummy) gradient for the sink to run.
    stack(s.sink, s.slot, g!, s.outF, s.inF);
    const first = !s.sink.tokenGradSent;
    s.sink.tokenGradSent = true;
    return [dx, first ? s.sink.token : null];
  },
};

/** @internal x·Wᵀ (no bias) with W from `packed` (see PackedWeight): `linear(x, packed.weight)`, packing W once. */
export function linearPacked(x: Tensor, packed: PackedWeight): Tensor {
  const weight = packed.weight;
  coreOf('linearPacked', x, weight);
  checkFloat('linearPacked', x, 'x');
  const [outF, inF] = weight.shape;
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inF) {
    throw fail('E_SHAPE', `linearPacked: x must end in the weight's in-features ${inF}: x ${fmt(x.shape)}, weight ${fmt(weight.shape)}`);
  }
  const sizes = { rows: x.size / inF, inF, outF, packed, sink: null as Sink | null, slot: 0 };
  if (!(gradMode.enabled && weight.requiresGrad)) return apply(LinearPackedFn, [x, weight], sizes);
  const sink = (sizes.sink = packed.sinkForProduct());
  sizes.slot = sink.products.push({ x, at: sink.rows, stacked: false }) - 1;
  sink.rows += sizes.rows;
  return apply(LinearPackedFn, [x, sink.token], sizes);
}
