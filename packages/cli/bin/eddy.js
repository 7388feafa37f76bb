#!/usr/bin/env node
// The installed `eddy` command. It exists before the TypeScript is built, so that npm links it at
// install time (a bin pointing into dist/ would not be linked on a fresh clone, and `npx eddy`
// would then look for an unrelated package on the registry).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('eddy: the command is not built yet; run `npm run build` in the repository first.\n');
  process.exit(1);
}
// Node 20 has relaxed SIMD (Eddy's faster, not bit-reproducible core: `--fast`) only behind a V8
// flag, which NODE_OPTIONS refuses; set before any wasm is compiled, it takes effect. It only lets
// that build load: the deterministic default stays the plain SIMD core.
const { detectFeatures } = await import('@eddy/autograd');
if (!detectFeatures().relaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');
await import(cli.href);
