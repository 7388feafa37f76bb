#!/usr/bin/env node
// The installed `eddy` command. It exists before the TypeScript is built, so that npm links it at
// install time (a bin pointing into dist/ would not be linked on a fresh clone, and `npx eddy`
// would then look for an unrelated package on the registry).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Node 20 has relaxed SIMD (Eddy's faster, not bit-reproducible core: `eddy bench --fast`) only
// behind a V8 flag, which NODE_OPTIONS refuses; set before any module is compiled, it takes effect.
// It only lets that build load: the deterministic default stays the plain SIMD core.
// (func (result v128) i32.const 1 i8x16.splat i32.const 2 i8x16.splat i8x16.relaxed_swizzle)
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253,
  15, 253, 128, 2, 11,
]);
if (!WebAssembly.validate(RELAXED_SIMD_PROBE)) setFlagsFromString('--experimental-wasm-relaxed-simd');

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('eddy: the command is not built yet; run `npm run build` in the repository first.\n');
  process.exit(1);
}
await import(cli.href);
