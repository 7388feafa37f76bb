// Whole-vector elementwise passes (the exports in exports.ts), split over a threaded core's threads by
// ranges from 2¹⁵ elements on (gemm/parallel.ts, `rangeTeamSize`; threads/team.ts runs the shares).
// An element's value never depends on its neighbours, and the SIMD lanes and the scalar tail of the
// skeletons in map.ts agree bit for bit, so any split gives the bits of one thread. The passes are
// @inline so that each export keeps its op a compile-time constant; the shares choose theirs at run
// time from the op codes below.
import { Binary, Grad, mapBinary, mapGrad, mapUnary, Unary } from "./map";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { MAP_BINARY, MAP_GRAD, MAP_UNARY } from "../threads/team";

/** out = f(x): `mapUnary`, split when large. */
// @ts-ignore: decorator
@inline export function unaryPass(simd: bool, op: Unary, n: i32, x: usize, out: usize): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, MAP_UNARY); setTaskWord(1, n); setTaskWord(2, <usize>op); setTaskWord(3, x); setTaskWord(4, out);
    runTeam(size, 0);
  } else {
    mapUnary(simd, op, n, x, out);
  }
}

/** out = a ∘ b (or α·a, or α·a + b): `mapBinary`, split when large. */
// @ts-ignore: decorator
@inline export function binaryPass(simd: bool, op: Binary, n: i32, alpha: f32, a: usize, b: usize, out: usize): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, MAP_BINARY); setTaskWord(1, n); setTaskWord(2, <usize>op); setTaskF32(3, alpha);
    setTaskWord(4, a); setTaskWord(5, b); setTaskWord(6, out);
    runTeam(size, 0);
  } else {
    mapBinary(simd, op, n, alpha, a, b, out);
  }
}

/** dx (+)= dy·f′: `mapGrad`, split when large. */
// @ts-ignore: decorator
@inline export function gradPass(simd: bool, op: Grad, n: i32, v: usize, dy: usize, dx: usize, accumulate: bool): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, MAP_GRAD); setTaskWord(1, n); setTaskWord(2, <usize>op); setTaskWord(3, v);
    setTaskWord(4, dy); setTaskWord(5, dx); setTaskWord(6, accumulate ? 1 : 0);
    runTeam(size, 0);
  } else {
    mapGrad(simd, op, n, v, dy, dx, accumulate);
  }
}

/** Elements [i0, i1) of a unary pass (a team's share, SIMD path). */
export function unarySlice(op: i32, i0: i32, i1: i32, x: usize, out: usize): void {
  const o = <usize>i0 << 2;
  const n = i1 - i0;
  if (op == Unary.EXP) mapUnary(true, Unary.EXP, n, x + o, out + o);
  else if (op == Unary.LOG) mapUnary(true, Unary.LOG, n, x + o, out + o);
  else if (op == Unary.SIGMOID) mapUnary(true, Unary.SIGMOID, n, x + o, out + o);
  else if (op == Unary.TANH) mapUnary(true, Unary.TANH, n, x + o, out + o);
  else if (op == Unary.RELU) mapUnary(true, Unary.RELU, n, x + o, out + o);
}

/** Elements [i0, i1) of a binary pass; b = 0 (no second operand, SCALE) stays 0. */
export function binarySlice(op: i32, i0: i32, i1: i32, alpha: f32, a: usize, b: usize, out: usize): void {
  const o = <usize>i0 << 2;
  const n = i1 - i0;
  const bo = b != 0 ? b + o : 0;
  if (op == Binary.ADD) mapBinary(true, Binary.ADD, n, alpha, a + o, bo, out + o);
  else if (op == Binary.SUB) mapBinary(true, Binary.SUB, n, alpha, a + o, bo, out + o);
  else if (op == Binary.MUL) mapBinary(true, Binary.MUL, n, alpha, a + o, bo, out + o);
  else if (op == Binary.SCALE) mapBinary(true, Binary.SCALE, n, alpha, a + o, bo, out + o);
  else if (op == Binary.AXPY) mapBinary(true, Binary.AXPY, n, alpha, a + o, bo, out + o);
}

/** Elements [i0, i1) of a gradient pass. */
export function gradSlice(op: i32, i0: i32, i1: i32, v: usize, dy: usize, dx: usize, accumulate: bool): void {
  const o = <usize>i0 << 2;
  const n = i1 - i0;
  if (op == Grad.SIGMOID) mapGrad(true, Grad.SIGMOID, n, v + o, dy + o, dx + o, accumulate);
  else if (op == Grad.TANH) mapGrad(true, Grad.TANH, n, v + o, dy + o, dx + o, accumulate);
  else if (op == Grad.RELU) mapGrad(true, Grad.RELU, n, v + o, dy + o, dx + o, accumulate);
}
