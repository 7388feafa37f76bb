import { ProtoWriter } from './protobuf.js';

// The subset of onnx.proto (ONNX IR version 8, the IR of opset 17) that an exported Eddy graph
// needs, as plain objects, and their serialisation. Field numbers are those of onnx.proto; each
// writer below names the message it writes.

/** IR version 8 is the one ONNX 1.12 introduced together with opset 17. */
export const IR_VERSION = 8;
/** The default-domain operator set the graphs are written against. */
export const OPSET_VERSION = 17;

/** The element types used here (TensorProto.DataType). */
export type ElemType = 'float32' | 'int64';
const DATA_TYPE: Record<ElemType, number> = { float32: 1, int64: 7 };

/** A constant tensor of the graph (an initializer): dims and row-major values. */
export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A dimension: a fixed size, or a name for a size given at run time (dim_param). */
export type OnnxDim = number | string;

/** A graph input or output: name, element type and shape. */
export interface OnnxValueInfo {
  name: string;
  type: ElemType;
  shape: readonly OnnxDim[];
}

/** An attribute value: an integer (INT), a string (STRING), integers (INTS) or strings (STRINGS). */
export type OnnxAttribute = number | string | readonly number[] | readonly string[];

/** One operator application (NodeProto) in the default domain. */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph (GraphProto): nodes in topological order, constants, inputs and outputs. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

/** A model file (ModelProto). */
export interface OnnxModel {
  producerName: string;
  docString: string;
  graph: OnnxGraph;
}

/** Serialises `model` as an ONNX ModelProto. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter()
    .int(1, IR_VERSION) // ir_version
    .string(2, model.producerName); // producer_name
  if (model.docString !== '') w.string(6, model.docString); // doc_string
  w.message(7, (g) => writeGraph(g, model.graph)); // graph
  w.message(8, (o) => o.int(2, OPSET_VERSION)); // opset_import: OperatorSetIdProto { version = 2 }, default domain
  return w.finish();
}

/** GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12. */
function writeGraph(w: ProtoWriter, graph: OnnxGraph): void {
  for (const n of graph.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, graph.name);
  for (const t of graph.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of graph.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of graph.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, (m) => writeAttribute(m, name, value));
}

/**
 * AttributeProto: name = 1, type = 20 (INT 2, STRING 3, INTS 7, STRINGS 8) and the one value
 * field of that type: i = 3, s = 4, ints = 8, strings = 9.
 */
function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.int(20, 2).int(3, value);
  } else if (typeof value === 'string') {
    w.int(20, 3).string(4, value);
  } else if (value.length > 0 && typeof value[0] === 'string') {
    w.int(20, 8);
    for (const s of value as readonly string[]) w.string(9, s);
  } else {
    w.int(20, 7).packedInts(8, value as readonly number[]);
  }
}

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian, fixed width). */
function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.data instanceof Float32Array ? 'float32' : 'int64']);
  w.string(8, t.name);
  w.bytes(9, littleEndian(t.data));
}

/** ValueInfoProto { name = 1, type = 2 }; TypeProto { tensor_type = 1 }; Tensor { elem_type = 1, shape = 2 }. */
function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.type]);
      // TensorShapeProto { dim = 1 }; Dimension { dim_value = 1 | dim_param = 2 }.
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** The values as raw_data wants them: little-endian whatever the host's byte order. */
function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, data[i], true);
  return out;
}
