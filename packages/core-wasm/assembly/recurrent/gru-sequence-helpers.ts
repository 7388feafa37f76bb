// Where a whole-sequence recurrent kernel is in the sequence: which time index a processing step
// touches, and whether that step is real data or padding for one batch element (PyTorch's
// packed-sequence semantics: the valid steps of element b are t < len_b, a prefix).

/** Time index t of processing step s: s forwards, T − 1 − s when `reverse`. */
// @ts-ignore: decorator
@inline
export function timeOfStep(s: i32, T: i32, reverse: bool): i32 {
  return reverse ? T - 1 - s : s;
}

/** Whether time step t holds data for batch element b; `lengths` = 0 means every length is T. */
// @ts-ignore: decorator
@inline
export function isValidStep(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}
