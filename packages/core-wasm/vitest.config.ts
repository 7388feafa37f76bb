import { packageConfig } from '../../vitest.shared.js';

export default packageConfig({
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  // Node 20 runs the relaxed-SIMD build only with this flag (it is rejected in NODE_OPTIONS).
  execArgv: ['--experimental-wasm-relaxed-simd'],
});
