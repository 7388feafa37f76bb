import { checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { LanguageModel } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { GraphBuilder } from './graph.js';
import { encodeModel, type OnnxDim } from './onnx-proto.js';
import { addRecurrentStack, checkExportable, type Recurrent } from './recurrent.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** Free text stored as the model's doc_string (e.g. where it came from). Default ''. */
  docString?: string;
}

// The dynamic axes: sizes given at run time, named in the graph's inputs and outputs.
const BATCH = 'batch';
const SEQUENCE = 'sequence';

/**
 * Writes `module` as an ONNX model (opset 17, IR version 8) and returns the file's bytes, for
 * onnxruntime (onnxruntime-web in a page or in Node) and any other ONNX runtime. The recurrent
 * layers become ONNX's LSTM / GRU / RNN operators with the gate blocks reordered (PyTorch's
 * LSTM i|f|g|o → ONNX i|o|f|c, GRU r|z|n → z|r|h with `linear_before_reset = 1`); batch and
 * sequence axes are dynamic. The graph computes what `forward` computes in eval mode (no
 * dropout), in float32.
 *
 * - A `LanguageModel`: inputs `input_ids` int64 [batch, sequence], `h0` float32 [L, batch, H]
 *   and, for an LSTM, `c0` [L, batch, H]; outputs `logits` [batch, sequence, V], `hn` and (LSTM)
 *   `cn` [L, batch, H]. The graph is Gather (embedding) → one recurrent node per layer →
 *   MatMul + Add (readout).
 * - An `RNN`, `LSTM` or `GRU`: inputs `input` float32 [sequence, batch, I] ([batch, sequence, I]
 *   with batchFirst), `h0` [L·D, batch, H] and (LSTM) `c0`; outputs `output` [sequence, batch,
 *   D·H] ([batch, sequence, D·H] with batchFirst), `hn` and (LSTM) `cn` [L·D, batch, H]. Every
 *   sequence runs its full length (no `lengths`). `resetBefore` GRUs export too
 *   (`linear_before_reset = 0`).
 *
 * The states are required inputs: pass zeros for PyTorch's default. Throws E_UNSUPPORTED for
 * options the export does not write (layerNorm and projSize, which ONNX's operators lack;
 * peephole, coupledInputForget, residual and a mergeMode other than 'concat', not written yet)
 * and E_ARGUMENT for anything that is not one of the modules above.
 *
 * @example
 * const bytes = exportOnnx(lm);                          // Uint8Array: write it to model.onnx
 * const session = await ort.InferenceSession.create(bytes);
 */
export function exportOnnx(module: LanguageModel | Recurrent, options: ExportOnnxOptions = {}): Uint8Array {
  const o = checkOptions('exportOnnx', options, ['docString']);
  const docString = o.docString ?? '';
  if (typeof docString !== 'string') throw fail('E_ARGUMENT', `exportOnnx: docString must be a string, got ${describe(docString)}`);
  const g = new GraphBuilder();
  let name: string;
  if (module instanceof LanguageModel) {
    languageModelGraph(g, module);
    name = `eddy_${module.options.cell}_language_model`;
  } else if (module instanceof LSTM || module instanceof GRU || module instanceof RNN) {
    recurrentGraph(g, module);
    name = `eddy_${module.constructor.name.toLowerCase()}`;
  } else {
    throw fail('E_ARGUMENT', `exportOnnx: module must be a LanguageModel, RNN, LSTM or GRU, got ${describe(module)}`);
  }
  return encodeModel({ producerName: 'eddy', docString, graph: g.build(name) });
}

/** Adds the inputs h0 (and c0 for an LSTM) [rows, batch, H] and returns their names. */
function stateInputs(g: GraphBuilder, rnn: Recurrent, rows: number): { h0: string; c0: string | null } {
  const shape: OnnxDim[] = [rows, BATCH, rnn.hiddenSize];
  const h0 = g.input({ name: 'h0', type: 'float32', shape });
  const c0 = rnn instanceof LSTM ? g.input({ name: 'c0', type: 'float32', shape }) : null;
  return { h0, c0 };
}

/** Declares hn (and cn) [rows, batch, H] as graph outputs. */
function stateOutputs(g: GraphBuilder, rnn: Recurrent, rows: number): void {
  const shape: OnnxDim[] = [rows, BATCH, rnn.hiddenSize];
  g.output({ name: 'hn', type: 'float32', shape });
  if (rnn instanceof LSTM) g.output({ name: 'cn', type: 'float32', shape });
}

function languageModelGraph(g: GraphBuilder, lm: LanguageModel): void {
  const { vocabSize: V, hiddenSize: H, numLayers: L, embeddingSize: E } = lm.options;
  checkExportable(lm.rnn, 'the language model');
  const ids = g.input({ name: 'input_ids', type: 'int64', shape: [BATCH, SEQUENCE] });
  const { h0, c0 } = stateInputs(g, lm.rnn, L);
  // Transposing the ids (not the embeddings) makes the gathered input time-major at no cost.
  const table = g.floats('encoder.weight', [V, E], lm.encoder.weight.toFloat32Array());
  const x = g.node('Gather', [table, g.node('Transpose', [ids], { perm: [1, 0] })[0]], { axis: 0 })[0];
  const r = addRecurrentStack(g, lm.rnn, 'rnn.', x, h0, c0, { hn: 'hn', cn: c0 === null ? null : 'cn' });
  // The readout on batch-major hidden states: MatMul by Wᵀ [H, V], then the bias.
  const y = g.node('Transpose', [r.output], { perm: [1, 0, 2] })[0];
  const wT = g.floats('decoder.weight_t', [H, V], transpose(lm.decoder.weight.toFloat32Array(), V, H));
  const bias = lm.decoder.bias;
  const product = g.node('MatMul', [y, wT], {}, [bias === null ? 'logits' : null])[0];
  if (bias !== null) g.node('Add', [product, g.floats('decoder.bias', [V], bias.toFloat32Array())], {}, ['logits']);
  g.output({ name: 'logits', type: 'float32', shape: [BATCH, SEQUENCE, V] });
  stateOutputs(g, lm.rnn, L);
}

function recurrentGraph(g: GraphBuilder, rnn: Recurrent): void {
  checkExportable(rnn, `the ${rnn.constructor.name}`);
  const rows = rnn.numLayers * rnn.numDirections;
  const layout = (features: number): OnnxDim[] => (rnn.batchFirst ? [BATCH, SEQUENCE, features] : [SEQUENCE, BATCH, features]);
  const input = g.input({ name: 'input', type: 'float32', shape: layout(rnn.inputSize) });
  const { h0, c0 } = stateInputs(g, rnn, rows);
  const x = rnn.batchFirst ? g.node('Transpose', [input], { perm: [1, 0, 2] })[0] : input;
  const r = addRecurrentStack(g, rnn, '', x, h0, c0, { hn: 'hn', cn: c0 === null ? null : 'cn' });
  g.node(rnn.batchFirst ? 'Transpose' : 'Identity', [r.output], rnn.batchFirst ? { perm: [1, 0, 2] } : {}, ['output']);
  g.output({ name: 'output', type: 'float32', shape: layout(rnn.numDirections * rnn.hiddenSize) });
  stateOutputs(g, rnn, rows);
}

/** The transpose of a row-major [rows, cols] matrix. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}
