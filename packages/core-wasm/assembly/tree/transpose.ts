// Matrix transpose, dst[j, i] = src[i, j], with row strides: the tree models stack the rows of
// every level's gradient and input transposed (all of a batch's nodes along the row), so that the
// one weight-gradient GEMM over them reads both operands along k, the layout its packing streams
// (read across rows, as a GEMM with transA packs Gᵀ, it gathers 16 bytes from rows kilobytes apart).
// A copy: SIMD body and scalar twin give the same bits. The 4×4 block transpose is the GEMM packer's.
import { storeTransposed4x4 } from "../gemm/pack";

/** Columns of src handled per sweep down the rows: their dst rows (TILE lines) stay in L1. */
const TILE: i32 = 64;

/**
 * dst[j·ldDst + i] = src[i·ldSrc + j] for i < rows, j < cols (src rows×cols, dst cols×rows, row
 * strides in elements; the two must not overlap).
 */
export function transpose(simd: bool, rows: i32, cols: i32, src: usize, ldSrc: i32, dst: usize, ldDst: i32): void {
  const sRow = <usize>ldSrc << 2, dRow = <usize>ldDst << 2;
  let i0 = 0;
  if (simd) {
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const jEnd = min(j0 + TILE, cols) & ~3;
      for (let i = 0; i + 4 <= rows; i += 4) {
        const s = src + <usize>i * sRow, d = dst + (<usize>i << 2);
        for (let j = j0; j < jEnd; j += 4) {
          const o = <usize>j << 2;
          storeTransposed4x4(v128.load(s + o), v128.load(s + sRow + o), v128.load(s + 2 * sRow + o), v128.load(s + 3 * sRow + o), d + <usize>j * dRow, dRow);
        }
      }
    }
    // Left over: the last rows % 4 rows (every column) and the last cols % 4 columns (every row).
    i0 = rows & ~3;
    scalarBlock(0, i0, cols & ~3, cols, src, sRow, dst, dRow);
  }
  scalarBlock(i0, rows, 0, cols, src, sRow, dst, dRow);
}

function scalarBlock(i0: i32, i1: i32, j0: i32, j1: i32, src: usize, sRow: usize, dst: usize, dRow: usize): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) store<f32>(dst + <usize>j * dRow + (<usize>i << 2), load<f32>(src + <usize>i * sRow + (<usize>j << 2)));
  }
}
