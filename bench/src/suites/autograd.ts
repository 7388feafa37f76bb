import { matmul, scope, tensor, type Tensor } from '@eddy/autograd';
import { medianMs } from '../measure.js';
import { loadTfjsWasm } from '../peers/tfjs-wasm.js';
import type { Report } from '../report.js';

/**
 * Small recorded operations, the cost that matters for recursive networks over parse trees (one
 * tape node per tree node): `add` of two 25-element vectors and `matmul` of two 5×5 matrices,
 * forward and backward with the tape, inside a scope that frees everything — against the same op
 * through TensorFlow.js's gradient machinery (`tf.grads` inside `tf.tidy`) in the same run.
 * Target: ≤ 2 µs each for Eddy.
 */
export async function autograd(report: Report): Promise<void> {
  const ops: Array<{ op: string; shape: number[]; eddy: (a: Tensor, b: Tensor) => Tensor }> = [
    { op: 'add', shape: [25], eddy: (a, b) => a.add(b) },
    { op: 'matmul', shape: [5, 5], eddy: (a, b) => matmul(a, b) },
  ];
  const tf = await loadTfjsWasm();
  const values = Array.from({ length: 25 }, (_, i) => Math.sin(i));
  for (const { op, shape, eddy } of ops) {
    const a = tensor(values, shape, { requiresGrad: true });
    const b = tensor(values, shape, { requiresGrad: true });
    const dy = tensor(values, shape);
    const eddyUs = 1000 * (await medianMs(() => scope(() => eddy(a, b).backward(dy)), 300));
    // Many iterations per sample: one op is far below the timer's resolution.
    const batched = (fn: () => void) => () => {
      for (let i = 0; i < 100; i++) fn();
    };
    const eddyBatchUs = (1000 * (await medianMs(batched(() => scope(() => eddy(a, b).backward(dy))), 400))) / 100;

    const ta = tf.tensor(values, shape);
    const tb = tf.tensor(values, shape);
    const tdy = tf.tensor(values, shape);
    const f = op === 'add' ? (x: typeof ta, y: typeof ta) => tf.add(x, y) : (x: typeof ta, y: typeof ta) => tf.matMul(x as never, y as never);
    const grads = tf.grads((x, y) => f(x, y));
    const tfjsUs = (1000 * (await medianMs(batched(() => tf.tidy(() => grads([ta, tb], tdy))), 400))) / 100;
    void eddyUs;
    report.row({ bench: 'small-op', op, shape: shape.join('×'), peer: 'eddy', microseconds: round(eddyBatchUs) });
    report.row({ bench: 'small-op', op, shape: shape.join('×'), peer: 'tfjs-wasm', microseconds: round(tfjsUs) });
    if (!report.json) {
      console.log(
        `recorded ${op.padEnd(6)} ${shape.join('×').padEnd(4)} forward+backward: eddy ${eddyBatchUs.toFixed(2)} µs   ` +
          `tfjs-wasm ${tfjsUs.toFixed(2)} µs   tfjs/eddy ${(tfjsUs / eddyBatchUs).toFixed(1)}×`,
      );
    }
    ta.dispose();
    tb.dispose();
    tdy.dispose();
  }
  report.clear();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
