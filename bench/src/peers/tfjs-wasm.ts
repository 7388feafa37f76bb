import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';

/**
 * TensorFlow.js with its WebAssembly backend (XNNPACK, SIMD), single-threaded as Eddy is, loaded
 * from the bench's own dependencies.
 */
export async function loadTfjsWasm(): Promise<typeof TF> {
  const require = createRequire(import.meta.url);
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core alone has no gradients; the full tfjs bundle registers them this way.
  // (a side-effect module outside the package's typed exports; scripts/build.mjs bundles it)
  // @ts-expect-error no declaration reachable under NodeNext resolution
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  wasm.setWasmPaths(`${dist}/`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tf.ready();
  return tf;
}
