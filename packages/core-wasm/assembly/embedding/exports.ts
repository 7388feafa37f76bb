// Raw exports of the embedding family (see embedding.ts). Tables are row-major with row stride d.
import { embeddingGather, embeddingScatterAdd } from "./embedding";

/** out [n × d] = rows ids[0..n) of table [V × d]; ids int32 in [0, V). */
export function f32_embedding_gather__wasmsimd(n: i32, d: i32, ids: usize, table: usize, out: usize): void {
  embeddingGather(true, n, d, ids, table, out);
}
export function f32_embedding_gather__scalar(n: i32, d: i32, ids: usize, table: usize, out: usize): void {
  embeddingGather(false, n, d, ids, table, out);
}

/** dtable [V × d] rows ids[i] += grad [n × d] row i, in order i = 0…n−1 (repeated ids accumulate). */
export function f32_embedding_scatter_add__wasmsimd(n: i32, d: i32, ids: usize, grad: usize, dtable: usize): void {
  embeddingScatterAdd(true, n, d, ids, grad, dtable);
}
export function f32_embedding_scatter_add__scalar(n: i32, d: i32, ids: usize, grad: usize, dtable: usize): void {
  embeddingScatterAdd(false, n, d, ids, grad, dtable);
}
