// The fused recurrent time loops on a team of threads (threads builds; gemm/parallel.ts runs the
// team). A step's product and gate update are split by hidden units: thread t of a team owns units
// j0 … j1 − 1 (whole 8-unit panels, `teamStart`) and computes, per step, the columns of those units
// in every gate block of the product, then those units' update, so the only exchange between
// threads is the state every unit's next product reads — one barrier per time step, forward and
// backward. Every output element is computed by the ops of the one-thread loop in the same order
// (sequence.ts, `stepProductColumns`), so the bits never depend on the thread count.
//
// A kernel that splits writes its loop's arguments into the control block's task words (in the
// order each case below reads them back) and calls `runTeam`; every thread then lands here.
import { taskWord } from "../gemm/parallel";
import { lstmBackwardLoop, lstmForwardLoop } from "./lstm";
import { rnnBackwardLoop, rnnForwardLoop } from "./rnn";
import { gruBackwardLoop, gruForwardLoop } from "./gru";

export const LSTM_FORWARD: usize = 1;
export const LSTM_BACKWARD: usize = 2;
export const RNN_FORWARD: usize = 3;
export const RNN_BACKWARD: usize = 4;
export const GRU_FORWARD: usize = 5;
export const GRU_BACKWARD: usize = 6;

/** Thread `thread`'s share of the split time loop described by the task words of `ctrl`. */
export function recurrentShare(ctrl: usize, thread: i32, size: i32, gemmWork: usize): void {
  const kind = taskWord(ctrl, 0);
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
