import type { Core } from '../core.js';
import { DISPATCH, kernelFor, type KernelFamily } from '../dispatch.js';
import { EddyError, describe } from '../errors.js';
import {
  checkArgs, checkFlag as checkBoolean, checkDim, checkImpl, checkMatrix, checkPointer, checkStride, checkVector,
  type ArgNames, type Impl, type KnownArgs,
} from '../validate.js';

// The fused recurrent kernels' wrappers, once for every cell family (LSTM, GRU, Elman RNN, and the
// next ones): a family is a `CellFamily` descriptor, and `sequenceForward` / `sequenceBackward`
// check the arguments (sizes, flags, optional pointers, the packed-sequence lengths, the byte
// counts the kernels' size exports give) and call its kernels. The ABI they rely on is the same
// for every family: see README.md, "Adding a cell family".

/** Sizes of one recurrent call. */
export interface SequenceSizes {
  /** Time steps. */
  T: number;
  /** Batch size. */
  B: number;
  /** Input features. */
  I: number;
  /** Hidden size. */
  H: number;
}

export function checkSequenceSizes(op: string, args: SequenceSizes): SequenceSizes {
  return {
    T: checkDim(op, 'T', args.T),
    B: checkDim(op, 'B', args.B),
    I: checkDim(op, 'I', args.I),
    H: checkDim(op, 'H', args.H),
  };
}

/** A boolean option passed to the kernel as i32 0/1; absent = false. */
export function checkFlag(op: string, name: string, value: unknown): 0 | 1 {
  return value !== undefined && checkBoolean(op, name, value) ? 1 : 0;
}

/** A matrix that may be absent (undefined or 0, passed on as 0). */
export function checkOptionalMatrix(
  core: Core, op: string, name: string, ptr: unknown, rows: number, cols: number, ld = cols,
): number {
  return ptr === undefined || ptr === 0 ? 0 : checkMatrix(core, op, name, ptr, rows, cols, ld);
}

/** A row stride that defaults to the row length `cols`. */
export function checkRowStride(op: string, name: string, value: unknown, cols: number): number {
  return checkStride(op, name, value ?? Math.max(cols, 1), cols);
}

/**
 * Packed-sequence lengths: int32[B] with every value in [0, T] (absent or 0 = all T). The kernels
 * trust these values, so each one is read and checked here.
 */
export function checkLengths(core: Core, op: string, ptr: unknown, B: number, T: number): number {
  if (ptr === undefined || ptr === 0) return 0;
  const p = checkVector(core, op, 'lengths', ptr, B);
  const view = core.arena.i32;
  for (let b = 0; b < B; b++) {
    const len = view[(p >>> 2) + b];
    if (len < 0 || len > T) {
      throw new EddyError('E_ARGUMENT', `${op}: lengths[${b}] must be in [0, T = ${T}], got ${len}`);
    }
  }
  return p;
}

/** A size export of the recurrent kernels: bytes for (T, B, I, H). */
export type SizeExport = (T: number, B: number, I: number, H: number) => number;

/** What a size export answers when the call cannot fit in 32-bit memory (it saturates). */
const SATURATED = 0xffffffff;

/**
 * The byte count a size export gives for already checked sizes (usize comes back as a signed i32).
 * A saturated answer is refused here, so that no caller allocates a wrapped-around size.
 */
export function bytesFromAbi(op: string, size: SizeExport, s: SequenceSizes): number {
  const bytes = size(s.T, s.B, s.I, s.H) >>> 0;
  if (bytes === SATURATED) {
    throw new EddyError('E_ARGUMENT', `${op}: T·B·H = ${s.T}·${s.B}·${s.H} (I = ${s.I}) needs more than 4 GiB of memory`);
  }
  return bytes;
}

/** Runs a kernel call with `bytes` of the core's reusable scratch (asked, and refused if saturated, before). */
export function withScratch(core: Core, bytes: number, call: (work: number) => void): void {
  call(core.scratch(bytes));
  core.pool?.check(); // the fused kernels split their GEMMs on a threaded core
}

/** Checks the sizes and asks the kernel how many bytes of `ws` its forward fills. */
export function sequenceWorkspaceBytes(op: string, size: SizeExport, T: number, B: number, I: number, H: number): number {
  return bytesFromAbi(op, size, checkSequenceSizes(op, { T, B, I, H }));
}

/** Arguments every fused cell's forward takes (the LSTM adds c0, cT; the RNN its nonlinearity). */
export interface SequenceForwardArgs extends SequenceSizes {
  /** Process t = T−1 … 0 (the backward direction of a bidirectional layer). Default false. */
  reverse?: boolean;
  /** Input [T, B, I], time-major. */
  x: number;
  /**
   * weight_ih [G·H, I] (G gate blocks, PyTorch's order). Absent or 0: x already holds the input
   * projection X·W_ihᵀ [T, B, G·H] (I must be G·H), e.g. an embedding table projected once and
   * gathered, which saves the T·B-row GEMM when the vocabulary is smaller than T·B.
   */
  wIh?: number;
  /** weight_hh [G·H, H]. */
  wHh: number;
  /** bias_ih, bias_hh [G·H]; absent = no bias. */
  bIh?: number;
  bHh?: number;
  /** int32[B] sequence lengths in [0, T]; steps t ≥ len_b are padding. Absent = all T. */
  lengths?: number;
  /** Initial state [B, H]; absent = zeros. */
  h0?: number;
  /** Output h_t [T, B, ·] with row stride `ldo`; zero rows at padding steps. */
  out: number;
  /** Row stride of `out` in elements, ≥ H (2H for a half of a bidirectional output). Default H. */
  ldo?: number;
  /** Final state [B, H] (after each element's last valid step); may alias h0. */
  hT?: number;
  /** Workspace of the cell's `…WorkspaceBytes(core, T, B, I, H)` bytes that the backward needs; absent = inference. */
  ws?: number;
}

/** The names of `SequenceForwardArgs`; each cell's wrapper adds its own (`{ ...SEQUENCE_FORWARD_ARGS, c0: true }`). */
export const SEQUENCE_FORWARD_ARGS = {
  T: true, B: true, I: true, H: true, reverse: true, x: true, wIh: true, wHh: true, bIh: true, bHh: true, lengths: true,
  h0: true, out: true, ldo: true, hT: true, ws: true,
} satisfies KnownArgs<SequenceForwardArgs>;

/** Arguments every fused cell's backward takes (the LSTM adds dcT, dc0). */
export interface SequenceBackwardArgs extends SequenceSizes {
  /**
   * reverse, x, wIh, wHh, lengths and ws exactly as given to the forward.
   * NOTE: rows of x at padding steps must be finite: ∂W_ih sums 0 · x over them, and 0 · NaN = NaN.
   */
  reverse?: boolean;
  x: number;
  wIh?: number;
  wHh: number;
  lengths?: number;
  ws: number;
  /** ∂L/∂out [T, B, ·] with row stride `lddo` (default H); absent = none. Padding rows are ignored. */
  dout?: number;
  lddo?: number;
  /** ∂L/∂hT [B, H]; absent = none. */
  dhT?: number;
  /** ∂L/∂x [T, B, I], overwritten (without wIh: the gate gradients, I = G·H). */
  dx?: number;
  /** ∂L/∂h0 [B, H], overwritten; may alias dhT. */
  dh0?: number;
  /** Weight and bias gradients, ACCUMULATED (+=): [G·H, I] (only with wIh), [G·H, H], [G·H], [G·H]. */
  dwIh?: number;
  dwHh?: number;
  dbIh?: number;
  dbHh?: number;
}

/** The names of `SequenceBackwardArgs`, for each cell's wrapper to extend. */
export const SEQUENCE_BACKWARD_ARGS = {
  T: true, B: true, I: true, H: true, reverse: true, x: true, wIh: true, wHh: true, lengths: true, ws: true, dout: true,
  lddo: true, dhT: true, dx: true, dh0: true, dwIh: true, dwHh: true, dbIh: true, dbHh: true,
} satisfies KnownArgs<SequenceBackwardArgs>;

/** What forward and backward share: direction, input, weights (G = gates·H rows) and lengths. */
function checkInputAndWeights(
  core: Core, op: string, args: SequenceSizes & { reverse?: boolean; x: number; wIh?: number; wHh: number; lengths?: number }, G: number,
) {
  const { T, B, I, H } = args;
  // With I = 0 there is no input: wIh = 0 is then the empty [G·H, 0] matrix, not a projection.
  const projected = (args.wIh === undefined || args.wIh === 0) && I !== 0;
  if (projected && I !== G) {
    throw new EddyError('E_ARGUMENT', `${op}: without wIh, x must hold the input projection [T, B, G·H = ${G}], so I must be ${G}, got ${I}`);
  }
  return {
    reverse: checkFlag(op, 'reverse', args.reverse),
    x: checkMatrix(core, op, 'x', args.x, T * B, I, I),
    wIh: projected ? 0 : checkMatrix(core, op, 'wIh', args.wIh, G, I, I),
    wHh: checkMatrix(core, op, 'wHh', args.wHh, G, H, H),
    lengths: checkLengths(core, op, args.lengths, B, T),
  };
}

/**
 * Checks the common forward arguments of a cell with `gates` blocks, and that `args` names no key
 * outside `names` (the cell's full list); returns them as numbers.
 */
export function checkSequenceForward(
  core: Core, op: string, args: SequenceForwardArgs, names: ArgNames, gates: number, wsBytes: SizeExport,
) {
  checkArgs(op, args, names);
  const { T, B, I, H } = checkSequenceSizes(op, args);
  const G = gates * H;
  const ldo = checkRowStride(op, 'ldo', args.ldo, H);
  return {
    T, B, I, H,
    ...checkInputAndWeights(core, op, args, G),
    bIh: checkOptionalMatrix(core, op, 'bIh', args.bIh, 1, G),
    bHh: checkOptionalMatrix(core, op, 'bHh', args.bHh, 1, G),
    h0: checkOptionalMatrix(core, op, 'h0', args.h0, B, H),
    ldo,
    out: checkMatrix(core, op, 'out', args.out, T * B, H, ldo),
    hT: checkOptionalMatrix(core, op, 'hT', args.hT, B, H),
    ws: args.ws === undefined || args.ws === 0 ? 0 : checkPointer(core, op, 'ws', args.ws, bytesFromAbi(op, wsBytes, { T, B, I, H })),
  };
}

/** Checks the common backward arguments of a cell with `gates` blocks and the keys of `args`, as the forward. */
export function checkSequenceBackward(
  core: Core, op: string, args: SequenceBackwardArgs, names: ArgNames, gates: number, wsBytes: SizeExport,
) {
  checkArgs(op, args, names);
  const { T, B, I, H } = checkSequenceSizes(op, args);
  const G = gates * H;
  if (args.ws === undefined || args.ws === 0) {
    throw new EddyError('E_ARGUMENT', `${op}: ws must be the workspace the forward filled, got ${describe(args.ws)}`);
  }
  const lddo = checkRowStride(op, 'lddo', args.lddo, H);
  return {
    T, B, I, H,
    ...checkInputAndWeights(core, op, args, G),
    ws: checkPointer(core, op, 'ws', args.ws, bytesFromAbi(op, wsBytes, { T, B, I, H })),
    lddo,
    dout: checkOptionalMatrix(core, op, 'dout', args.dout, T * B, H, lddo),
    dhT: checkOptionalMatrix(core, op, 'dhT', args.dhT, B, H),
    dx: checkOptionalMatrix(core, op, 'dx', args.dx, T * B, I),
    dh0: checkOptionalMatrix(core, op, 'dh0', args.dh0, B, H),
    dwIh: checkWeightGradient(core, op, args, G),
    dwHh: checkOptionalMatrix(core, op, 'dwHh', args.dwHh, G, H),
    dbIh: checkOptionalMatrix(core, op, 'dbIh', args.dbIh, 1, G),
    dbHh: checkOptionalMatrix(core, op, 'dbHh', args.dbHh, 1, G),
  };
}

/** dwIh, which needs the weight it is the gradient of. */
function checkWeightGradient(core: Core, op: string, args: SequenceBackwardArgs, G: number): number {
  if ((args.wIh === undefined || args.wIh === 0) && args.I !== 0 && args.dwIh !== undefined && args.dwIh !== 0) {
    throw new EddyError('E_ARGUMENT', `${op}: dwIh needs wIh; without wIh (x holds the input projection) there is no input weight to differentiate`);
  }
  return checkOptionalMatrix(core, op, 'dwIh', args.dwIh, G, args.I);
}

/**
 * A fused cell family: what the shared wrappers need to check its arguments and call its kernels.
 * Every family's kernels take (T, B, I, H, reverse, …flags, …) in the order of README.md's ABI.
 */
export interface CellFamily {
  /** The stem of its public names and errors: `lstm` → `lstmForward`, `lstmBackward`, `lstmWorkspaceBytes`. */
  readonly name: string;
  /** Gate blocks G: the weights have G·H rows. */
  readonly gates: number;
  /** Carries a cell state: the forward takes c0 and cT after h0 and hT, the backward dcT and dc0 after dhT and dh0. */
  readonly hasCell: boolean;
  /** Its own boolean options, passed as i32 0/1 right after `reverse`, in this order (GRU: resetBefore). */
  readonly flags: readonly string[];
  /** The smallest hidden size its kernels take (the GRU's need 1; the shared checks allow 0). */
  readonly minHidden: number;
  /** Its two kernels in the dispatch table. */
  readonly forward: KernelFamily;
  readonly backward: KernelFamily;
  /** Its size exports: `ws` bytes the forward fills, and scratch bytes of each call. */
  readonly sizes: { readonly workspace: string; readonly forwardScratch: string; readonly backwardScratch: string };
  /** Every argument name its forward and backward take (the shared ones plus flags and cell state). */
  readonly forwardArgs: ArgNames;
  readonly backwardArgs: ArgNames;
}

function sizeExport(core: Core, name: string): SizeExport {
  return (core.exports as unknown as Record<string, SizeExport>)[name];
}

/** Bytes of the workspace a family's forward saves for its backward. */
export function familyWorkspaceBytes(core: Core, family: CellFamily, T: number, B: number, I: number, H: number): number {
  return sequenceWorkspaceBytes(`${family.name}WorkspaceBytes`, sizeExport(core, family.sizes.workspace), T, B, I, H);
}

/** The family's flags as i32 0/1, in its order. */
function flagValues(op: string, family: CellFamily, args: object): number[] {
  return family.flags.map((name) => checkFlag(op, name, (args as Record<string, unknown>)[name]));
}

/** A family's fused forward over a whole sequence: checks every argument, then one kernel call. */
export function sequenceForward(core: Core, family: CellFamily, args: SequenceForwardArgs, impl: Impl = 'simd'): void {
  const op = `${family.name}Forward`;
  checkImpl(op, impl);
  const a = checkSequenceForward(core, op, args, family.forwardArgs, family.gates, sizeExport(core, family.sizes.workspace));
  const { T, B, I, H } = a;
  if (family.minHidden > 0) checkDim(op, 'H', H, family.minHidden);
  const argv = [T, B, I, H, a.reverse, ...flagValues(op, family, args), a.x, a.wIh, a.wHh, a.bIh, a.bHh, a.lengths, a.h0];
  if (family.hasCell) {
    const c = args as SequenceForwardArgs & { c0?: number; cT?: number };
    const c0 = checkOptionalMatrix(core, op, 'c0', c.c0, B, H);
    const cT = checkOptionalMatrix(core, op, 'cT', c.cT, B, H);
    argv.push(c0, a.out, a.ldo, a.hT, cT, a.ws);
  } else {
    argv.push(a.out, a.ldo, a.hT, a.ws);
  }
  const kernel = kernelFor(core, family.forward, impl) as (...argv: number[]) => void;
  withScratch(core, bytesFromAbi(op, sizeExport(core, family.sizes.forwardScratch), a), (work) => kernel(...argv, work));
}

/** A family's fused backward through time, from the workspace its forward filled. */
export function sequenceBackward(core: Core, family: CellFamily, args: SequenceBackwardArgs, impl: Impl = 'simd'): void {
  const op = `${family.name}Backward`;
  checkImpl(op, impl);
  const a = checkSequenceBackward(core, op, args, family.backwardArgs, family.gates, sizeExport(core, family.sizes.workspace));
  const { T, B, I, H } = a;
  if (family.minHidden > 0) checkDim(op, 'H', H, family.minHidden);
  const argv = [T, B, I, H, a.reverse, ...flagValues(op, family, args), a.x, a.wIh, a.wHh, a.lengths, a.ws, a.dout, a.lddo, a.dhT];
  if (family.hasCell) {
    const c = args as SequenceBackwardArgs & { dcT?: number; dc0?: number };
    const dcT = checkOptionalMatrix(core, op, 'dcT', c.dcT, B, H);
    const dc0 = checkOptionalMatrix(core, op, 'dc0', c.dc0, B, H);
    argv.push(dcT, a.dx, a.dh0, dc0);
  } else {
    argv.push(a.dx, a.dh0);
  }
  argv.push(a.dwIh, a.dwHh, a.dbIh, a.dbHh);
  const kernel = kernelFor(core, family.backward, impl) as (...argv: number[]) => void;
  withScratch(core, bytesFromAbi(op, sizeExport(core, family.sizes.backwardScratch), a), (work) => kernel(...argv, work));
}

/** A family's descriptor from its name (export names follow `f32_<name>_…`) and its own parts. */
export function cellFamily(
  name: string,
  parts: Pick<CellFamily, 'gates' | 'hasCell' | 'flags' | 'minHidden' | 'forwardArgs' | 'backwardArgs'>,
): CellFamily {
  const [forward, backward] = [`${name}_forward`, `${name}_backward`];
  if (!(forward in DISPATCH) || !(backward in DISPATCH)) {
    throw new EddyError('E_ARGUMENT', `cellFamily: the dispatch table has no ${forward} or ${backward} record`);
  }
  return {
    name,
    ...parts,
    forward: forward as KernelFamily,
    backward: backward as KernelFamily,
    sizes: {
      workspace: `f32_${name}_workspace_bytes`,
      forwardScratch: `f32_${name}_forward_scratch_bytes`,
      backwardScratch: `f32_${name}_backward_scratch_bytes`,
    },
  };
}
