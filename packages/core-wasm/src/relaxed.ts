// @eddy/core-wasm/relaxed: the relaxed-SIMD build embedded, for pages whose bundler does not serve
// the package's .wasm files. Its own entry, so that bundles that do not import it do not carry it.
import { decodeHex } from './hex.js';
import { relaxedHex } from './generated/relaxed.js';

/**
 * The relaxed-SIMD build's bytes: `loadCore({ variant: 'relaxed', deterministic: false, wasm: relaxedWasm })`
 * (or autograd's `loadCore`) loads it with nothing to serve or copy.
 */
export const relaxedWasm: Uint8Array = /* @__PURE__ */ decodeHex(relaxedHex);
