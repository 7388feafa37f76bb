import { loadCoreSync, packB, sgemm, sgemmPacked, type Core } from '@eddy/core-wasm';
import { medianMs } from '../measure.js';
import { loadTfjsWasm } from '../peers/tfjs-wasm.js';
import type { Report } from '../report.js';
import { recurrent } from './recurrent.js';

type Trans = 'NN' | 'NT' | 'TN' | 'TT';
interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  trans: Trans;
}

const SQUARE = [64, 128, 256, 512, 1024];
const ALL_TRANS: Trans[] = ['NN', 'NT', 'TN', 'TT'];

/**
 * The GEMMs of the canonical recurrent workloads (T = 64, B = 32): per-step h·W_hhᵀ, the hoisted
 * input projection X·W_ihᵀ, the per-step backward dG·W_hh, and the weight gradient dGᵀ·X.
 */
const RECURRENT: Shape[] = [
  { label: 'step h·Whhᵀ H=256', m: 32, n: 1024, k: 256, trans: 'NT' },
  { label: 'step h·Whhᵀ H=512', m: 32, n: 2048, k: 512, trans: 'NT' },
  { label: 'step dG·Whh H=256', m: 32, n: 256, k: 1024, trans: 'NN' },
  { label: 'input X·Wihᵀ H=256', m: 2048, n: 1024, k: 256, trans: 'NT' },
  { label: 'dX = dG·Wih H=256', m: 2048, n: 256, k: 1024, trans: 'NN' },
  { label: 'dW = dGᵀ·X H=256', m: 1024, n: 256, k: 2048, trans: 'TN' },
  { label: 'dW = dGᵀ·X H=512', m: 2048, n: 512, k: 2048, trans: 'TN' },
  { label: 'sample h·Whhᵀ B=1 H=512', m: 1, n: 2048, k: 512, trans: 'NT' },
];

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

async function eddyGemm(core: Core, { m, n, k, trans }: Shape): Promise<number> {
  const [transA, transB] = [trans[0] === 'T', trans[1] === 'T'];
  // NOTE: arena scopes are synchronous and timing awaits, so the operands are not freed here: a
  // scope would release them while sgemm's own scratch is being allocated on top of them.
  const a = core.arena.fromF32(random(m * k, 1));
  const b = core.arena.fromF32(random(k * n, 2));
  const c = core.arena.allocF32(m * n);
  const ms = await medianMs(() => sgemm(core, { transA, transB, m, n, k, a, b, c }));
  return (2 * m * n * k) / (ms * 1e6);
}

/**
 * The same product with op(B) packed once (`packB`) and reused, as a layer's weights are between
 * optimizer steps. This is the comparison that matches tfjs-wasm's XNNPACK path, which caches the
 * packed right operand per weight tensor, so its timed calls never repack.
 */
async function eddyGemmPacked(core: Core, { m, n, k, trans }: Shape): Promise<number> {
  const [transA, transB] = [trans[0] === 'T', trans[1] === 'T'];
  const a = core.arena.fromF32(random(m * k, 1));
  const b = core.arena.fromF32(random(k * n, 2));
  const c = core.arena.allocF32(m * n);
  const packed = packB(core, { transB, n, k, b });
  const ms = await medianMs(() => sgemmPacked(core, { transA, m, n, k, a, packed, c }));
  return (2 * m * n * k) / (ms * 1e6);
}

async function tfjsGemm(tf: Awaited<ReturnType<typeof loadTfjsWasm>>, { m, n, k, trans }: Shape): Promise<number> {
  const [transA, transB] = [trans[0] === 'T', trans[1] === 'T'];
  const a = tf.tensor2d(random(m * k, 1), transA ? [k, m] : [m, k]);
  const b = tf.tensor2d(random(k * n, 2), transB ? [n, k] : [k, n]);
  const ms = await medianMs(() => {
    const c = tf.matMul(a, b, transA, transB);
    c.dataSync();
    c.dispose();
  });
  a.dispose();
  b.dispose();
  return (2 * m * n * k) / (ms * 1e6);
}

export async function kernels(report: Report, options: { quick: boolean }): Promise<void> {
  const plain = loadCoreSync({ variant: 'simd' });
  const relaxed = plain.features.relaxedSimd ? loadCoreSync({ variant: 'relaxed', deterministic: false }) : null;
  const tf = await loadTfjsWasm();

  const shapes: Shape[] = [
    ...(options.quick ? [256] : SQUARE).flatMap((n) => ALL_TRANS.map((trans) => ({ label: `n=${n}`, m: n, n, k: n, trans }))),
    ...RECURRENT,
  ];
  for (const shape of shapes) {
    const eddy = await eddyGemm(plain, shape);
    const eddyPacked = await eddyGemmPacked(plain, shape);
    const eddyRelaxed = relaxed ? await eddyGemm(relaxed, shape) : null;
    const relaxedPacked = relaxed ? await eddyGemmPacked(relaxed, shape) : null;
    const tfjs = await tfjsGemm(tf, shape);
    const base = { bench: 'sgemm', m: shape.m, n: shape.n, k: shape.k, trans: shape.trans };
    report.row({ ...base, peer: 'eddy', gflops: round(eddy) });
    report.row({ ...base, peer: 'eddy-packed', gflops: round(eddyPacked) });
    if (eddyRelaxed !== null) report.row({ ...base, peer: 'eddy-relaxed', gflops: round(eddyRelaxed) });
    if (relaxedPacked !== null) report.row({ ...base, peer: 'eddy-relaxed-packed', gflops: round(relaxedPacked) });
    report.row({ ...base, peer: 'tfjs-wasm', gflops: round(tfjs) });
    if (!report.json) {
      console.log(
        `${shape.label.padEnd(24)} ${shape.trans}  [${shape.m}×${shape.k}]·[${shape.k}×${shape.n}]`.padEnd(60) +
          `eddy ${eddy.toFixed(1).padStart(5)}  packed-B ${eddyPacked.toFixed(1).padStart(5)}  relaxed ${eddyRelaxed?.toFixed(1).padStart(5) ?? '  —  '}` +
          `  tfjs-wasm ${tfjs.toFixed(1).padStart(5)}  GFLOP/s   eddy/tfjs ${(eddy / tfjs).toFixed(2)}×  packed/tfjs ${(eddyPacked / tfjs).toFixed(2)}×` +
          (eddyRelaxed !== null ? `  relaxed/tfjs ${(eddyRelaxed / tfjs).toFixed(2)}×` : '') +
          (relaxedPacked !== null ? `  relaxed-packed/tfjs ${(relaxedPacked / tfjs).toFixed(2)}×` : ''),
      );
    }
  }
  report.clear();

  await recurrent(plain, report);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
