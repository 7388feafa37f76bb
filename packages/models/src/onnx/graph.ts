import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-proto.js';

/**
 * Collects an ONNX graph as it is built: nodes in the order added (which is topological, since a
 * node can only name values that exist), constants, inputs and outputs. Intermediate values get
 * fresh names; graph inputs and outputs keep the names the caller gives.
 */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private count = 0;

  /** Declares a graph input and returns its name. */
  input(info: OnnxValueInfo): string {
    this.inputs.push(info);
    return info.name;
  }

  /** Declares a graph output (a value some node produces under that name). */
  output(info: OnnxValueInfo): void {
    this.outputs.push(info);
  }

  /** A float32 constant; returns its name. */
  floats(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds); returns its name. */
  int64s(name: string, values: readonly number[]): string {
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /**
   * Adds one `opType` node reading `inputs` ('' skips an optional input) and returns the names of
   * its outputs: `outputs` where given (graph outputs), else `count` fresh names.
   */
  node(opType: string, inputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}, outputs: number | readonly (string | null)[] = 1): string[] {
    const name = `${opType}_${this.count++}`;
    const list = typeof outputs === 'number' ? Array.from({ length: outputs }, () => null) : outputs;
    const named = list.map((o, i) => o ?? `${name}_out${i}`);
    this.nodes.push({ opType, name, inputs, outputs: named, attributes });
    return named;
  }

  /** The graph named `name`. */
  build(name: string): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs };
  }
}
