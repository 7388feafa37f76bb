// Bundles the bench into dist/main.js. TensorFlow.js is bundled from its ES modules so that its
// gradient registrations (which tfjs-core's Node build lacks) share one engine with the wasm
// backend; Eddy's packages stay external so each finds its .wasm files beside itself.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: ['@eddy/*', 'tinybench'],
  logLevel: 'warning',
  // tfjs's emscripten glue expects CommonJS globals.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
});
