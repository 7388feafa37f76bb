import { EddyError, manualSeed, optim, tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { Linear } from '../layers/linear.js';
import { DivergenceError, trainLoop, type CheckpointEvent, type TrainEvent } from './train-loop.js';

/** y = 2x − 1 from 8 points: a linear layer learns it quickly. */
function regression(lr = 0.1) {
  manualSeed(1);
  const model = new Linear({ inFeatures: 1, outFeatures: 1 });
  const xs = [-1, -0.5, 0, 0.25, 0.5, 0.75, 1, 1.5];
  const optimizer = new optim.SGD(model.parameters(), { lr });
  const loss = () => {
    const x = tensor(xs, [8, 1]);
    const y = tensor(xs.map((v) => 2 * v - 1), [8, 1]);
    const d = model.forward(x).sub(y);
    return { loss: d.mul(d).mean(), tokens: 8 };
  };
  return { model, optimizer, loss };
}

describe('trainLoop', () => {
  test('trains to `steps`, evaluating and checkpointing every evalEvery steps and at the end', async () => {
    const { model, optimizer, loss } = regression();
    const checkpoints: CheckpointEvent[] = [];
    const events: TrainEvent[] = [];
    let evaluations = 0;
    const r = await trainLoop({
      optimizer, loss, steps: 25, evalEvery: 10, clip: 1,
      evaluate: () => (++evaluations, loss().loss.item()),
      checkpoint: (c) => checkpoints.push(c),
      onEvent: (e) => events.push(e),
    });
    expect(r).toMatchObject({ step: 25, stopped: 'done', stepsRun: 25, tokens: 200 });
    expect(checkpoints.map((c) => [c.step, c.reason])).toEqual([[10, 'eval'], [20, 'eval'], [25, 'end']]);
    expect(checkpoints.every((c) => c.improved)).toBe(true);
    expect(evaluations).toBe(3);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(steps[24]).toMatchObject({ totalSteps: 25, etaSeconds: 0 });
    expect(r.trainLoss!).toBeLessThan((steps[0] as { loss: number }).loss / 10);
    expect(r.bestValLoss).toBe(r.valLoss);
    model.dispose();
  });

  test('continues from startStep and counts toward the same total', async () => {
    const { optimizer, loss } = regression();
    const seen: number[] = [];
    const r = await trainLoop({ optimizer, loss: (step) => (seen.push(step), loss()), steps: 7, startStep: 4 });
    expect(seen).toEqual([5, 6, 7]);
    expect(r.step).toBe(7);
  });

  test('an AbortSignal stops it between steps; the checkpoint hook then runs once without evaluating', async () => {
    const { optimizer, loss } = regression();
    const stop = new AbortController();
    const checkpoints: CheckpointEvent[] = [];
    let evaluations = 0;
    const r = await trainLoop({
      optimizer, loss: (step) => {
        if (step === 3) setTimeout(() => stop.abort(), 0);
        // Make each step last long enough for the loop to yield to the event loop.
        const until = performance.now() + 30;
        while (performance.now() < until);
        return loss();
      },
      signal: stop.signal, evaluate: () => ++evaluations, checkpoint: (c) => checkpoints.push(c),
    });
    expect(r.stopped).toBe('aborted');
    expect(r.step).toBeGreaterThanOrEqual(3);
    expect(r.step).toBeLessThan(10);
    expect(checkpoints).toEqual([{ step: r.step, reason: 'abort', valLoss: null, improved: false }]);
    expect(evaluations).toBe(0);
  });

  test('a time budget stops it', async () => {
    const { optimizer, loss } = regression();
    const r = await trainLoop({ optimizer, loss, seconds: 0.2 });
    expect(r.stopped).toBe('time');
    expect(r.seconds).toBeGreaterThanOrEqual(0.2);
    expect(r.stepsRun).toBeGreaterThan(1);
  });

  test('a non-finite loss throws DivergenceError before updating anything', async () => {
    const { model, optimizer, loss } = regression();
    const before = model.weight.toFloat32Array();
    const err = await trainLoop({ optimizer, steps: 3, loss: () => loss().loss.mul(tensor([Infinity], [1])).sum() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err).toMatchObject({ step: 1, what: 'loss', code: 'E_DIVERGED' });
    expect(model.weight.toFloat32Array()).toEqual(before);
    const val = await trainLoop({ optimizer, steps: 2, loss, evaluate: () => NaN }).catch((e: unknown) => e);
    expect(val).toMatchObject({ step: 2, what: 'validation loss' });
  });

  test('weights above maxWeight (default 1e6) stop the run before the checkpoint hook calls them good, though the loss is finite', async () => {
    const { model, optimizer } = regression(1);
    // loss = −1e5·Σw: always finite, and every SGD step adds 1e5 to the weight.
    const runaway = () => model.weight.sum().mul(tensor([-1e5], [1])).sum();
    const seen: number[] = [];
    const err = await trainLoop({ optimizer, steps: 20, evalEvery: 4, loss: runaway, checkpoint: (c) => seen.push(c.step) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err).toMatchObject({ step: 12, what: 'largest weight', code: 'E_DIVERGED' });
    expect((err as DivergenceError).value).toBeGreaterThan(1e6);
    expect(seen).toEqual([4, 8]);
    // maxWeight null: only non-finite weights count; a smaller bound stops sooner.
    const { model: m2, optimizer: o2 } = regression(1);
    const seen2: number[] = [];
    const r = await trainLoop({ optimizer: o2, steps: 12, evalEvery: 4, maxWeight: null, loss: () => m2.weight.sum().mul(tensor([-1e5], [1])).sum(), checkpoint: (c) => seen2.push(c.step) });
    expect([r.step, seen2]).toEqual([12, [4, 8, 12]]);
    const { model: m3, optimizer: o3 } = regression(1);
    const err3 = await trainLoop({ optimizer: o3, steps: 20, evalEvery: 2, maxWeight: 3e5, loss: () => m3.weight.sum().mul(tensor([-1e5], [1])).sum() }).catch((e: unknown) => e);
    expect(err3).toMatchObject({ step: 4, what: 'largest weight' });
    await expect(trainLoop({ optimizer: o2, loss: runaway, maxWeight: 0 })).rejects.toThrow(/maxWeight must be a number > 0 or null, got 0/);
  });

  test('refuses misspelt options and bad values with E_ARGUMENT', async () => {
    const { optimizer, loss } = regression();
    await expect(trainLoop({ optimizer, loss, evalEvry: 3 } as never)).rejects.toThrow(/unknown option "evalEvry" \(did you mean "evalEvery"\?\)/);
    await expect(trainLoop({ optimizer, loss, clip: -1 })).rejects.toBeInstanceOf(EddyError);
    await expect(trainLoop({ optimizer: {} as never, loss })).rejects.toThrow(/optimizer must be an optim.Optimizer/);
  });
});
