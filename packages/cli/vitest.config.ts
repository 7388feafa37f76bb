import { packageConfig } from '../../vitest.shared.js';

export default packageConfig({
  // `eddy train --fast` in-process needs relaxed SIMD, which Node 20 has only with this flag (the
  // eddy command sets it itself; bin.test.ts checks that path).
  execArgv: ['--experimental-wasm-relaxed-simd'],
});
