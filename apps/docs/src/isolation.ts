/**
 * The headers that make a page cross-origin isolated, so the models may use SharedArrayBuffer and
 * both cores. The dev server and the preview send them; `_headers` (written at build time from this
 * object) tells static hosts to do the same; the site's tests serve dist with them.
 */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** `_headers` for static hosts (Netlify, Cloudflare Pages): the isolation headers on every path. */
export function headersFile(): string {
  return ['/*', ...Object.entries(isolationHeaders).map(([name, value]) => `  ${name}: ${value}`), ''].join('\n');
}
