import type { Tensor } from './tensor.js';

// A row-sparse gradient: the rows of a leaf's [V, …] `.grad` that an embedding lookup's backward
// added into, so that `zeroGrad` and the optimizers that can (Adagrad without weight decay) touch
// those rows only instead of all V. The gradient itself stays one dense block, zero outside the
// rows, so every reader of `.grad` (clipping, a user) sees the same values as before.

/**
 * @internal The rows of a gradient block that may be non-zero; every other row is exactly zero.
 * Kept on a leaf's `.grad` while every contribution since it was made came by rows (`index`);
 * the tape drops it (null: dense) at the first dense contribution.
 */
export class GradRows {
  /** The touched rows, in first-touch order: `list[0 … count)`. */
  readonly list: Int32Array;
  count = 0;
  private readonly marked: Uint8Array;

  constructor(
    rows: number,
    /** Elements per row. */
    readonly width: number,
  ) {
    this.list = new Int32Array(rows);
    this.marked = new Uint8Array(rows);
  }

  /** Marks the rows `ids` (in range; repeats allowed). */
  add(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i];
      if (this.marked[r] === 0) {
        this.marked[r] = 1;
        this.list[this.count++] = r;
      }
    }
  }

  /** Zero-fills the touched rows of `grad` and forgets them (the block is then all zero). */
  zero(grad: Tensor): void {
    const f32 = grad.core.arena.f32, w = this.width, base = grad.ptr >>> 2;
    for (let i = 0; i < this.count; i++) {
      const r = this.list[i];
      f32.fill(0, base + r * w, base + (r + 1) * w);
      this.marked[r] = 0;
    }
    this.count = 0;
  }
}
