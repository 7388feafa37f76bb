// Raw exports of the attention family (see attention.ts): one global-attention step for B rows.
import { attentionBackward, attentionForward } from "./attention";

export function f32_attention_forward__wasmsimd(
  B: i32, S: i32, P: i32, Hk: i32, q: usize, proj: usize, scores: usize, keys: usize, lengths: usize, weights: usize, context: usize,
): void {
  attentionForward(true, B, S, P, Hk, q, proj, scores, keys, lengths, weights, context);
}
export function f32_attention_forward__scalar(
  B: i32, S: i32, P: i32, Hk: i32, q: usize, proj: usize, scores: usize, keys: usize, lengths: usize, weights: usize, context: usize,
): void {
  attentionForward(false, B, S, P, Hk, q, proj, scores, keys, lengths, weights, context);
}

export function f32_attention_backward__wasmsimd(
  B: i32, S: i32, P: i32, Hk: i32, q: usize, proj: usize, keys: usize, lengths: usize, weights: usize, dweights: usize, dcontext: usize,
  dscores: usize, dq: usize, dproj: usize, dkeys: usize,
): void {
  attentionBackward(true, B, S, P, Hk, q, proj, keys, lengths, weights, dweights, dcontext, dscores, dq, dproj, dkeys);
}
export function f32_attention_backward__scalar(
  B: i32, S: i32, P: i32, Hk: i32, q: usize, proj: usize, keys: usize, lengths: usize, weights: usize, dweights: usize, dcontext: usize,
  dscores: usize, dq: usize, dproj: usize, dkeys: usize,
): void {
  attentionBackward(false, B, S, P, Hk, q, proj, keys, lengths, weights, dweights, dcontext, dscores, dq, dproj, dkeys);
}
