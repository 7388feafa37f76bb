// WeightAverage: the mean of the last K epoch-end snapshots of a model's weights, its train-state
// buffers, and the corrupt buffers a resumed run refuses.
import { ready, scope, tensor } from '@eddy/autograd';
import { Linear } from '@eddy/models';
import { beforeAll, describe, expect, test } from 'vitest';
import { WeightAverage } from './weight-average.js';

beforeAll(async () => {
  await ready();
});

/** Sets every weight of `m` to `v` (weight) and `−v` (bias). */
function setAll(m: Linear, v: number): void {
  scope(() => {
    m.weight.copyFrom(tensor(new Float32Array(m.weight.size).fill(v), [...m.weight.shape]));
    m.bias!.copyFrom(tensor(new Float32Array(m.bias!.size).fill(-v), [...m.bias!.shape]));
  });
}

const values = (m: Linear): number[][] => m.parameters().map((p) => Array.from(p.toArray()));

describe('WeightAverage', () => {
  test('is the source before any epoch, then the mean of the last K snapshots', () => {
    const m = new Linear({ inFeatures: 3, outFeatures: 2 });
    const avg = new WeightAverage(m, 2);
    expect(values(avg.model)).toEqual(values(m));
    expect(avg.model).not.toBe(m);
    for (const [v, mean] of [[1, 1], [2, 1.5], [4, 3], [0.5, 2.25]]) {
      setAll(m, v);
      avg.add();
      expect(avg.model.weight.toArray().every((x) => x === mean)).toBe(true);
      expect(avg.model.bias!.toArray().every((x) => x === -mean)).toBe(true);
    }
    expect(avg.count).toBe(2);
    // The source keeps its own weights.
    expect(m.weight.toArray()[0]).toBe(0.5);
    avg.dispose();
    m.dispose();
  });

  test('its buffers restore the same mean in a new run; missing, extra or mis-sized ones are named', () => {
    const m = new Linear({ inFeatures: 3, outFeatures: 2 });
    const avg = new WeightAverage(m, 3);
    setAll(m, 1);
    avg.add();
    setAll(m, 2);
    avg.add();
    const files = avg.toFiles();
    expect(Object.keys(files).sort()).toEqual(['average.0.bias', 'average.0.weight', 'average.1.bias', 'average.1.weight']);
    const buffers = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.data]));
    const again = new WeightAverage(m, 3);
    again.restore(buffers);
    expect(values(again.model)).toEqual(values(avg.model));
    expect(again.count).toBe(2);
    // With no buffers (a run before its first epoch ended) the mean is the source.
    again.restore({ 'optimizer.state.0.sum': new Float32Array(1) });
    expect(values(again.model)).toEqual(values(m));

    const small = new WeightAverage(m, 1);
    expect(() => small.restore(buffers)).toThrow('it holds 2 averaged epochs, more than --average-epochs 1');
    const { 'average.1.bias': _dropped, ...missing } = buffers;
    expect(() => again.restore(missing)).toThrow('averaged epoch 1 has no bias');
    expect(() => again.restore({ ...buffers, 'average.0.weight': new Float32Array(5) })).toThrow("averaged epoch 0's weight has 5 values, not 6");
    for (const a of [avg, again, small]) a.dispose();
    m.dispose();
  });
});
