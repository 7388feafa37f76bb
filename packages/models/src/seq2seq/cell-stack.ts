import { dropout, type Tensor } from '@eddy/autograd';
import { GRUCell } from '../cells/gru.js';
import { LSTMCell, type LSTMCellState } from '../cells/lstm.js';
import { Module, type ModuleConfig } from '../module.js';

/** Per layer h (and c for LSTM cells), each [R, H]. */
export interface StackState {
  h: Tensor[];
  c: Tensor[] | null;
}

/**
 * L step-wise cells stacked (the decoder's `cells`), registered as "0", "1", … so that their
 * parameters are `cells.0.weight_ih`, …: one fused step kernel per layer and step, dropout
 * between layers in training mode.
 */
export class CellStack extends Module {
  readonly cells: ReadonlyArray<LSTMCell | GRUCell>;
  readonly lstm: boolean;
  private readonly p: number;

  constructor(options: { cell: 'lstm' | 'gru'; inputSize: number; hiddenSize: number; layers: number; dropout: number }) {
    super();
    const { cell, inputSize, hiddenSize, layers, dropout: p } = options;
    this.lstm = cell === 'lstm';
    this.p = p;
    this.cells = Array.from({ length: layers }, (_, l) => {
      const o = { inputSize: l === 0 ? inputSize : hiddenSize, hiddenSize };
      return this.registerModule(String(l), this.lstm ? new LSTMCell(o) : new GRUCell(o));
    });
  }

  /** One step of every layer from `state`: x [R, inputSize] → the new state (top layer's h last). */
  forward(x: Tensor, state: StackState): StackState {
    const h: Tensor[] = [];
    const c: Tensor[] | null = this.lstm ? [] : null;
    let input = x;
    this.cells.forEach((cell, l) => {
      if (l > 0 && this.p > 0) input = dropout(input, this.p, this.training);
      const next = cell.forward(input, { h: state.h[l], ...(c !== null ? { c: state.c![l] } : {}) });
      h.push(next.h);
      if (c !== null) c.push((next as LSTMCellState).c);
      input = next.h;
    });
    return { h, c };
  }

  toConfig(): ModuleConfig {
    const first = this.cells[0];
    return { type: 'EddyCellStack', cell: this.lstm ? 'lstm' : 'gru', inputSize: first.inputSize, hiddenSize: first.hiddenSize, layers: this.cells.length, dropout: this.p };
  }
}
