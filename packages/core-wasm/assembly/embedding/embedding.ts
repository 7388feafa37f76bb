// Embedding lookup and its gradient: rows of a V×D table (row-major, row stride D) picked by int32
// ids. Ids must lie in [0, V): the TypeScript wrapper checks them before the call.
import { Binary, mapBinary, mapUnary, Unary } from "../elementwise/map";

/** out[i, :] = table[ids[i], :] for i < n. */
export function embeddingGather(simd: bool, n: i32, d: i32, ids: usize, table: usize, out: usize): void {
  const row = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const id = <usize>load<i32>(ids + (<usize>i << 2));
    mapUnary(simd, Unary.COPY, d, table + id * row, out + <usize>i * row);
  }
}

/**
 * dtable[ids[i], :] += grad[i, :] for i = 0, 1, …, n−1 in that order, so a repeated id accumulates
 * all its rows, deterministically (the order of the additions is fixed).
 */
export function embeddingScatterAdd(simd: bool, n: i32, d: i32, ids: usize, grad: usize, dtable: usize): void {
  const row = <usize>d << 2;
  for (let i = 0; i < n; i++) {
    const dst = dtable + <usize>load<i32>(ids + (<usize>i << 2)) * row;
    mapBinary(simd, Binary.ADD, d, 0, dst, grad + <usize>i * row, dst);
  }
}
