// The raw ABI of Eddy's core: every export takes only numbers (byte offsets into linear memory,
// sizes, strides in elements, flags as 0/1). No export allocates; the TypeScript arena owns memory.
// Each family exports a SIMD kernel and its scalar twin with the same signature.

export * from "./gemm/exports";
export * from "./quant/exports";
export * from "./recurrent/exports-lstm-rnn";
export * from "./recurrent/exports-gru";
export * from "./elementwise/exports";
export * from "./loss/exports";
export * from "./embedding/exports";
export * from "./optim/exports";
export * from "./attention/exports";
export * from "./tree/exports";

/** First byte the TypeScript arena may use: everything below holds the module's static data. */
export function heap_base(): usize {
  return __heap_base;
}

/** 1 when this build was compiled with relaxed SIMD, else 0. */
export function has_relaxed_simd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
