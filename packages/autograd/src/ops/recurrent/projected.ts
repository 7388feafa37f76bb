import { linear } from '../linear.js';
import { index } from '../shape.js';
import type { Tensor } from '../../tensor.js';

/**
 * The input projection of a first recurrent layer fed by an embedding, computed per vocabulary
 * row instead of per token:
 *
 *     X·W_ihᵀ = E[tokens]·W_ihᵀ = (E·W_ihᵀ)[tokens]
 *
 * `table` E [V, I], `wIh` [G·H, I], `tokens` int32 of any shape S → [...S, G·H]. Pass the result as x
 * with `wIh: null` to `lstmSequence` / `gruSequence` / `rnnSequence`. It costs a V-row product and a
 * gather instead of a T·B-row product, and its backward a scatter-add and two V-row products
 * (dE = ∂P·W_ih, dW_ih = ∂Pᵀ·E) instead of two T·B-row products: the same sums, grouped by token.
 * It pays when V < T·B (character models: V ≈ 100 against T·B in the thousands); `projectionPays`
 * says when.
 */
export function projectedEmbedding(table: Tensor, wIh: Tensor, tokens: Tensor): Tensor {
  return index(linear(table, wIh), tokens);
}

/** Whether `projectedEmbedding` does less work than embedding then projecting `rows` tokens. */
export function projectionPays(vocabSize: number, rows: number): boolean {
  return vocabSize < rows;
}
