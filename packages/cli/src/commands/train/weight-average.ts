import { scope, tensor } from '@eddy/autograd';
import { Module } from '@eddy/models';

/** Where one snapshot's parameter lives in train-state/tensors.safetensors: `average.<j>.<name>`, j = 0 the oldest. */
const PREFIX = 'average.';

/**
 * The mean of a model's weights at the ends of its last K epochs (tail averaging, Polyak and
 * Juditsky's averaged iterate over a window; OpenNMT's average_models over checkpoints):
 *
 *   θ̄ = (1/n) Σ_{j=1..n} θ_{E−n+j},   n = min(K, E),
 *
 * after epoch E; before the first epoch ends θ̄ is the current θ. The mean is a second model of the
 * same architecture (`model`): validation and best/ use it while training goes on from θ. The
 * snapshots go into train-state, so a resumed run averages exactly as an unbroken one. Sums run in
 * double precision, oldest first, so the mean of the same snapshots is the same bits everywhere.
 */
export class WeightAverage<M extends Module = Module> {
  /** The averaged weights, as a model of the source's architecture. */
  readonly model: M;
  private snapshots: Float32Array[][] = [];

  constructor(
    private readonly source: M,
    /** K: the epochs averaged. */
    readonly window: number,
  ) {
    this.model = Module.fromConfig(source.toConfig(), { init: false }) as M;
    this.model.eval();
    this.refresh();
  }

  /** Epochs averaged so far (at most `window`). */
  get count(): number {
    return this.snapshots.length;
  }

  /** Takes the source's weights as the newest snapshot (dropping the oldest beyond K) and recomputes the mean. */
  add(): void {
    this.snapshots.push(this.source.parameters().map((p) => p.toArray() as Float32Array));
    if (this.snapshots.length > this.window) this.snapshots.shift();
    this.refresh();
  }

  /** The snapshots as train-state buffers: `average.<j>.<parameter name>`. */
  toFiles(): Record<string, { data: Float32Array; shape: number[] }> {
    const names = this.source.namedParameters();
    const files: Record<string, { data: Float32Array; shape: number[] }> = {};
    this.snapshots.forEach((snap, j) => names.forEach(([name], i) => (files[`${PREFIX}${j}.${name}`] = { data: snap[i], shape: [snap[i].length] })));
    return files;
  }

  /**
   * Restores the snapshots `toFiles` wrote from train-state `buffers`. Throws a plain Error naming
   * what is missing or mis-sized (the caller reports the train-state as corrupt).
   */
  restore(buffers: Record<string, Float32Array>): void {
    const named = this.source.namedParameters();
    const count = new Set(Object.keys(buffers).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length).split('.')[0])).size;
    if (count > this.window) throw new Error(`it holds ${count} averaged epochs, more than --average-epochs ${this.window}`);
    const snapshots: Float32Array[][] = [];
    for (let j = 0; j < count; j++) {
      snapshots.push(named.map(([name, p]) => {
        const data = buffers[`${PREFIX}${j}.${name}`];
        if (data === undefined) throw new Error(`averaged epoch ${j} has no ${name}`);
        if (data.length !== p.size) throw new Error(`averaged epoch ${j}'s ${name} has ${data.length} values, not ${p.size}`);
        return data;
      }));
    }
    this.snapshots = snapshots;
    this.refresh();
  }

  dispose(): void {
    this.model.dispose();
  }

  private refresh(): void {
    const params = this.model.parameters();
    const sources = this.source.parameters();
    const n = this.snapshots.length;
    scope(() => {
      params.forEach((p, i) => {
        if (n === 0) {
          p.copyFrom(sources[i]);
          return;
        }
        const sum = new Float64Array(p.size);
        for (const snap of this.snapshots) for (let k = 0; k < sum.length; k++) sum[k] += snap[i][k];
        const mean = new Float32Array(sum.length);
        for (let k = 0; k < sum.length; k++) mean[k] = sum[k] / n;
        p.copyFrom(tensor(mean, [...p.shape]));
      });
    });
  }
}
