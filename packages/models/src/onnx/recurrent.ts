import { fail } from '../errors.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import type { RNN } from '../recurrent/rnn.js';
import type { GraphBuilder } from './graph.js';

// A stack of recurrent layers as ONNX LSTM / GRU / RNN nodes, one node per layer (both
// directions in it). ONNX stacks gate blocks in another order than PyTorch, so the weight rows are
// permuted here: LSTM i|f|g|o → i|o|f|c, GRU r|z|n → z|r|h; PyTorch's GRU applies the reset gate
// after the recurrent product, ONNX's `linear_before_reset = 1`.

/** A recurrent module the export can write. */
export type Recurrent = RNN | LSTM | GRU;

/**
 * For each ONNX gate block, the PyTorch block it comes from: ONNX LSTM i|o|f|c from PyTorch
 * i|f|g|o, ONNX GRU z|r|h from PyTorch r|z|n.
 */
const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] } as const;

function family(rnn: Recurrent): keyof typeof GATE_ORDER {
  return rnn instanceof LSTM ? 'LSTM' : rnn instanceof GRU ? 'GRU' : 'RNN';
}

/**
 * Throws E_UNSUPPORTED for a configuration the export does not write: layer norm and projection
 * (ONNX's recurrent operators have neither) and the variants that would need more than one
 * attribute or input mapped (peepholes, the coupled gate, skip connections, merge modes). `what`
 * names the module in the message.
 */
export function checkExportable(rnn: Recurrent, what: string): void {
  const refused: string[] = [];
  if (rnn.layerNorm) refused.push('layerNorm (ONNX\'s LSTM/GRU/RNN have no normalisation)');
  if (rnn.residual) refused.push('residual');
  if (rnn.mergeMode !== 'concat') refused.push(`mergeMode '${rnn.mergeMode}' (ONNX concatenates the directions)`);
  if (rnn instanceof LSTM) {
    if (rnn.projSize > 0) refused.push('projSize (ONNX\'s LSTM has no projection)');
    if (rnn.peephole) refused.push('peephole');
    if (rnn.coupledInputForget) refused.push('coupledInputForget');
  }
  if (refused.length > 0) {
    throw fail('E_UNSUPPORTED', `exportOnnx: ${what} uses ${refused.join(', ')}, which the ONNX export does not write; export a ${family(rnn)} with PyTorch's plain options`);
  }
}

/** Rows of `data` ([G·H, cols] in PyTorch's gate order) reordered block by block into ONNX's. */
function reorderGates(data: Float32Array, order: readonly number[], H: number, cols: number): Float32Array {
  const block = H * cols;
  const out = new Float32Array(data.length);
  order.forEach((from, to) => out.set(data.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/** Concatenates the directions' arrays (ONNX stacks them on a leading axis of size D). */
function joined(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The names of the stack's results in the graph. */
export interface StackOutputs {
  /** The last layer's outputs, time-major [T, B, D·H]. */
  output: string;
  /** Every layer's final h [L·D, B, H]. */
  hn: string;
  /** Every layer's final c [L·D, B, H] (LSTM), else null. */
  cn: string | null;
}

/**
 * Adds the nodes of `rnn` (checked with `checkExportable`) reading time-major `x` [T, B, I] from
 * `h0` (and `c0` for an LSTM) [L·D, B, H], with constants named `prefix`W_l{k}, …; `hn` and `cn`
 * name the final states (graph outputs).
 */
export function addRecurrentStack(g: GraphBuilder, rnn: Recurrent, prefix: string, x: string, h0: string, c0: string | null, names: { hn: string; cn: string | null }): StackOutputs {
  const kind = family(rnn);
  const order = GATE_ORDER[kind];
  const { hiddenSize: H, numLayers: L, numDirections: D } = rnn;
  const G = order.length;
  const attributes: Record<string, number | string | string[]> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
  if (rnn instanceof GRU) attributes.linear_before_reset = rnn.resetBefore ? 0 : 1;
  if (kind === 'RNN') attributes.activations = Array<string>(D).fill((rnn as RNN).nonlinearity === 'relu' ? 'Relu' : 'Tanh');

  const dict = rnn.stateDict();
  const parameter = (name: string): Float32Array => dict[name].toFloat32Array();
  let input = x;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let l = 0; l < L; l++) {
    const inSize = l === 0 ? rnn.inputSize : D * H;
    const sfx = (d: number) => `_l${l}${d === 1 ? '_reverse' : ''}`;
    const dirs = Array.from({ length: D }, (_, d) => d);
    const W = g.floats(`${prefix}W_l${l}`, [D, G * H, inSize], joined(dirs.map((d) => reorderGates(parameter(`weight_ih${sfx(d)}`), order, H, inSize))));
    const R = g.floats(`${prefix}R_l${l}`, [D, G * H, H], joined(dirs.map((d) => reorderGates(parameter(`weight_hh${sfx(d)}`), order, H, H))));
    // ONNX's B is [Wb | Rb] per direction; absent, it is zero (PyTorch's bias = false).
    const B = rnn.bias
      ? g.floats(`${prefix}B_l${l}`, [D, 2 * G * H], joined(dirs.flatMap((d) => ['bias_ih', 'bias_hh'].map((b) => reorderGates(parameter(`${b}${sfx(d)}`), order, H, 1)))))
      : '';
    // Layer l's rows of the stacked state, [l·D, (l + 1)·D); with one layer, the state itself,
    // and its final states are the graph outputs directly.
    const slice = (state: string, what: string) =>
      L === 1 ? state : g.node('Slice', [state, g.int64s(`${prefix}${what}_start_l${l}`, [l * D]), g.int64s(`${prefix}${what}_end_l${l}`, [(l + 1) * D]), g.int64s(`${prefix}${what}_axes_l${l}`, [0])])[0];
    const inputs = [input, W, R, B, '', slice(h0, 'h')]; // '': no sequence_lens, every sequence runs T steps
    if (c0 !== null) inputs.push(slice(c0, 'c'));
    const outs = g.node(kind, inputs, attributes, [null, L === 1 ? names.hn : null, ...(c0 !== null ? [L === 1 ? names.cn : null] : [])]);
    hs.push(outs[1]);
    if (c0 !== null) cs.push(outs[2]);
    // Y is [T, D, B, H]; the next layer (and the caller) read [T, B, D·H].
    input = D === 1
      ? g.node('Squeeze', [outs[0], g.int64s(`${prefix}squeeze_axes_l${l}`, [1])])[0]
      : g.node('Reshape', [g.node('Transpose', [outs[0]], { perm: [0, 2, 1, 3] })[0], g.int64s(`${prefix}merge_shape_l${l}`, [0, 0, -1])])[0];
  }
  const hn = L === 1 ? hs[0] : g.node('Concat', hs, { axis: 0 }, [names.hn])[0];
  const cn = c0 === null ? null : L === 1 ? cs[0] : g.node('Concat', cs, { axis: 0 }, [names.cn])[0];
  return { output: input, hn, cn };
}
