// Entry of the relaxed-SIMD build (asconfig.json target `relaxed`): the ABI of index.ts, except that
// the kernels whose SIMD path runs the GEMM micro-kernel or GEMV (fused multiply-add in this build,
// so their results may differ per hardware) are named `…__wasmrelaxedsimd`. Every other kernel is
// bit-identical to the plain build's and keeps its name. src/dispatch.ts resolves each family's
// export per build; test/dispatch.test.ts checks that this list and index.ts agree.

export { heap_base, has_relaxed_simd } from "./index";
export * from "./quant/exports";
export * from "./elementwise/exports";
export * from "./loss/exports";
export * from "./embedding/exports";
export * from "./optim/exports";
export * from "./attention/exports";
export * from "./tree/exports";

export {
  f32_gemm_workspace_bytes, f32_gemm__scalar,
  f32_gemm_packed_b_bytes, f32_gemm_pack_b, f32_gemm_packed_b_workspace_bytes, f32_gemm_packed_b__scalar,
  threads_configure, threads_worker, threads_barrier,
  f32_gemm_4x8__wasmsimd as f32_gemm_4x8__wasmrelaxedsimd,
  f32_gemm_packed_b_4x8__wasmsimd as f32_gemm_packed_b_4x8__wasmrelaxedsimd,
} from "./gemm/exports";

export {
  f32_lstm_workspace_bytes, f32_lstm_forward_scratch_bytes, f32_lstm_backward_scratch_bytes,
  f32_lstm_forward__scalar, f32_lstm_backward__scalar,
  f32_lstm_forward__wasmsimd as f32_lstm_forward__wasmrelaxedsimd,
  f32_lstm_backward__wasmsimd as f32_lstm_backward__wasmrelaxedsimd,
  f32_rnn_workspace_bytes, f32_rnn_forward_scratch_bytes, f32_rnn_backward_scratch_bytes,
  f32_rnn_forward__scalar, f32_rnn_backward__scalar,
  f32_rnn_forward__wasmsimd as f32_rnn_forward__wasmrelaxedsimd,
  f32_rnn_backward__wasmsimd as f32_rnn_backward__wasmrelaxedsimd,
} from "./recurrent/exports-lstm-rnn";

export {
  f32_gru_workspace_bytes, f32_gru_forward_scratch_bytes, f32_gru_backward_scratch_bytes,
  f32_gru_forward__scalar, f32_gru_backward__scalar,
  f32_gru_forward__wasmsimd as f32_gru_forward__wasmrelaxedsimd,
  f32_gru_backward__wasmsimd as f32_gru_backward__wasmrelaxedsimd,
} from "./recurrent/exports-gru";
