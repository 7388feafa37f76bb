// What each thread of a team runs (threads builds; gemm/parallel.ts starts the team and owns its
// barrier): a fused recurrent time loop split by hidden units, or a range of an elementwise pass
// (maps and their gradients, optimizer steps, clipping by value) or of a chunked reduction.
//
// Recurrent time loops: a step's product and gate update are split by hidden units: thread t of a team owns units
// j0 … j1 − 1 (whole 8-unit panels, `teamStart`) and computes, per step, the columns of those units
// in every gate block of the product, then those units' update, so the only exchange between
// threads is the state every unit's next product reads — one barrier per time step, forward and
// backward. Every output element is computed by the ops of the one-thread loop in the same order
// (sequence.ts, `stepProductColumns`), so the bits never depend on the thread count.
//
// A kernel that splits writes its loop's arguments into the control block's task words (in the
// order each case below reads them back) and calls `runTeam`; every thread then lands here.
import { rangeStart, setTaskF64, taskF32, taskWord } from "../gemm/parallel";
import { lstmBackwardLoop, lstmForwardLoop } from "../recurrent/lstm";
import { rnnBackwardLoop, rnnForwardLoop } from "../recurrent/rnn";
import { gruBackwardLoop, gruForwardLoop } from "../recurrent/gru";
import { adamSlice } from "../optim/adam";
import { sgdSlice } from "../optim/sgd";
import { rmspropSlice } from "../optim/rmsprop";
import { adagradSlice } from "../optim/adagrad";
import { clipValueSlice } from "../optim/clip";
import { reduceOp } from "../elementwise/reduce";
import { binarySlice, gradSlice, unarySlice } from "../elementwise/passes";

export const LSTM_FORWARD: usize = 1;
export const LSTM_BACKWARD: usize = 2;
export const RNN_FORWARD: usize = 3;
export const RNN_BACKWARD: usize = 4;
export const GRU_FORWARD: usize = 5;
export const GRU_BACKWARD: usize = 6;
export const ADAM: usize = 7;
export const SGD: usize = 8;
export const RMSPROP: usize = 9;
export const ADAGRAD: usize = 10;
export const CLIP_VALUE: usize = 11;
export const REDUCE: usize = 12;
export const MAP_UNARY: usize = 13;
export const MAP_BINARY: usize = 14;
export const MAP_GRAD: usize = 15;

/** Thread `thread`'s share of the team call described by the task words of `ctrl`. */
export function teamShare(ctrl: usize, thread: i32, size: i32, gemmWork: usize): void {
  const kind = taskWord(ctrl, 0);
  if (kind >= ADAM) {
    rangeShare(ctrl, kind, thread, size);
    return;
  }
  const T = <i32>taskWord(ctrl, 1);
  const B = <i32>taskWord(ctrl, 2);
  const H = <i32>taskWord(ctrl, 3);
  const reverse = taskWord(ctrl, 4) != 0;
  const lengths = <usize>taskWord(ctrl, 5);
  if (kind == LSTM_FORWARD) {
    lstmForwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6) != 0, taskWord(ctrl, 7), taskWord(ctrl, 8), taskWord(ctrl, 9),
      taskWord(ctrl, 10), taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13), taskWord(ctrl, 14), <i32>taskWord(ctrl, 15),
      ctrl, thread, size, gemmWork,
    );
  } else if (kind == LSTM_BACKWARD) {
    lstmBackwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6), taskWord(ctrl, 7), taskWord(ctrl, 8), taskWord(ctrl, 9),
      <i32>taskWord(ctrl, 10), taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13), taskWord(ctrl, 14), taskWord(ctrl, 15),
      ctrl, thread, size, gemmWork,
    );
  } else if (kind == RNN_FORWARD) {
    rnnForwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6) != 0, taskWord(ctrl, 7) != 0, taskWord(ctrl, 8), taskWord(ctrl, 9),
      <i32>taskWord(ctrl, 10), taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13),
      ctrl, thread, size, gemmWork,
    );
  } else if (kind == RNN_BACKWARD) {
    rnnBackwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6) != 0, taskWord(ctrl, 7), taskWord(ctrl, 8), <i32>taskWord(ctrl, 9),
      taskWord(ctrl, 10), taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13),
      ctrl, thread, size, gemmWork,
    );
  } else if (kind == GRU_FORWARD) {
    gruForwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6) != 0, taskWord(ctrl, 7) != 0, taskWord(ctrl, 8), taskWord(ctrl, 9),
      taskWord(ctrl, 10), taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13), taskWord(ctrl, 14), taskWord(ctrl, 15),
      taskWord(ctrl, 16), taskWord(ctrl, 17), <i32>taskWord(ctrl, 18), ctrl, thread, size, gemmWork,
    );
  } else if (kind == GRU_BACKWARD) {
    gruBackwardLoop(
      true, T, B, H, reverse, lengths, taskWord(ctrl, 6) != 0, taskWord(ctrl, 7), taskWord(ctrl, 8), taskWord(ctrl, 9),
      taskWord(ctrl, 10), <i32>taskWord(ctrl, 11), taskWord(ctrl, 12), taskWord(ctrl, 13), taskWord(ctrl, 14), taskWord(ctrl, 15),
      taskWord(ctrl, 16), taskWord(ctrl, 17), taskWord(ctrl, 18), taskWord(ctrl, 19), ctrl, thread, size, gemmWork,
    );
  }
}

/**
 * Elementwise updates: word 1 is n, thread t takes elements [rangeStart(t), rangeStart(t + 1)); each
 * element is computed by the ops of the one-thread pass (the SIMD lanes and the scalar tail agree
 * bit for bit), so the split changes no bits. Reductions: word 1 is n, word 2 the op, 3 the vector,
 * 4 the chunk length; thread t reduces its chunks and stores each chunk's f64 sum in words 16 + 2c.
 */
function rangeShare(ctrl: usize, kind: usize, thread: i32, size: i32): void {
  const n = <i32>taskWord(ctrl, 1);
  if (kind == REDUCE) {
    const len = <i32>taskWord(ctrl, 4);
    const chunks = (n + len - 1) / len;
    const c0 = <i32>(<i64>thread * <i64>chunks / <i64>size);
    const c1 = <i32>(<i64>(thread + 1) * <i64>chunks / <i64>size);
    for (let c = c0; c < c1; c++) {
      setTaskF64(ctrl, 16 + 2 * c, reduceOp(true, <i32>taskWord(ctrl, 2), min(len, n - c * len), taskWord(ctrl, 3) + (<usize>(c * len) << 2)));
    }
    return;
  }
  const i0 = rangeStart(thread, size, n);
  const i1 = rangeStart(thread + 1, size, n);
  if (kind == ADAM) {
    adamSlice(
      true, i0, i1, taskWord(ctrl, 2), taskWord(ctrl, 3), taskWord(ctrl, 4), taskWord(ctrl, 5), taskWord(ctrl, 6),
      taskF32(ctrl, 7), taskF32(ctrl, 8), taskF32(ctrl, 9), taskF32(ctrl, 10), taskF32(ctrl, 11), taskF32(ctrl, 12),
      taskWord(ctrl, 13) != 0, taskF32(ctrl, 14), taskF32(ctrl, 15),
    );
  } else if (kind == SGD) {
    sgdSlice(
      true, i0, i1, taskWord(ctrl, 2), taskWord(ctrl, 3), taskWord(ctrl, 4), taskF32(ctrl, 5), taskF32(ctrl, 6),
      taskF32(ctrl, 7), taskF32(ctrl, 8), taskWord(ctrl, 9) != 0, taskWord(ctrl, 10) != 0,
    );
  } else if (kind == RMSPROP) {
    rmspropSlice(
      true, i0, i1, taskWord(ctrl, 2), taskWord(ctrl, 3), taskWord(ctrl, 4), taskWord(ctrl, 5), taskWord(ctrl, 6),
      taskF32(ctrl, 7), taskF32(ctrl, 8), taskF32(ctrl, 9), taskF32(ctrl, 10), taskF32(ctrl, 11), taskF32(ctrl, 12),
    );
  } else if (kind == ADAGRAD) {
    adagradSlice(true, i0, i1, taskWord(ctrl, 2), taskWord(ctrl, 3), taskWord(ctrl, 4), taskF32(ctrl, 5), taskF32(ctrl, 6), taskF32(ctrl, 7));
  } else if (kind == CLIP_VALUE) {
    clipValueSlice(true, i0, i1, taskWord(ctrl, 2), taskF32(ctrl, 3));
  } else if (kind == MAP_UNARY) {
    unarySlice(<i32>taskWord(ctrl, 2), i0, i1, taskWord(ctrl, 3), taskWord(ctrl, 4));
  } else if (kind == MAP_BINARY) {
    binarySlice(<i32>taskWord(ctrl, 2), i0, i1, taskF32(ctrl, 3), taskWord(ctrl, 4), taskWord(ctrl, 5), taskWord(ctrl, 6));
  } else if (kind == MAP_GRAD) {
    gradSlice(<i32>taskWord(ctrl, 2), i0, i1, taskWord(ctrl, 3), taskWord(ctrl, 4), taskWord(ctrl, 5), taskWord(ctrl, 6) != 0);
  }
}
