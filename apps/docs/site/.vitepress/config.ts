import { katex } from '@mdit/plugin-katex';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitepress';
import type { Connect, Plugin } from 'vite';
import { headersFile, isolationHeaders } from '../../src/isolation.js';
import { guides, livePages } from '../../src/pages.js';

// KaTeX writes MathML beside its HTML (screen readers read it); Vue must leave those tags alone.
const MATHML = new Set(['math', 'annotation', 'semantics', 'mrow', 'mi', 'mo', 'mn', 'msup', 'msub', 'msubsup', 'mfrac', 'msqrt',
  'mroot', 'mtext', 'mspace', 'mover', 'munder', 'munderover', 'mtable', 'mtr', 'mtd', 'mstyle', 'mpadded', 'menclose', 'mphantom']);

/**
 * Sends the isolation headers on every response of the dev and preview servers (Vite's
 * `server.headers` skips the HTML pages VitePress renders, which are the ones that need them).
 */
function isolation(): Plugin {
  const middleware: Connect.NextHandleFunction = (_req, res, next) => {
    for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
    next();
  };
  return {
    name: 'eddy-isolation-headers',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  title: 'Eddy',
  description: 'Recurrent networks in TypeScript and WebAssembly, trained in Node and in the browser.',
  base: '/',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  outDir: '../dist',
  cleanUrls: false,
  lastUpdated: false,
  // Static hosts read _headers; it says what the dev server sends (cross-origin isolation).
  buildEnd(site) {
    writeFileSync(join(site.outDir, '_headers'), headersFile());
  },
  markdown: {
    math: false,
    // The default GitHub themes colour comments and punctuation below WCAG AA contrast (axe).
    theme: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' },
    config(md) {
      md.use(katex, { output: 'htmlAndMathml', throwOnError: true });
    },
  },
  vue: { template: { compilerOptions: { isCustomElement: (tag) => MATHML.has(tag) } } },
  vite: {
    plugins: [isolation()],
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 1024 },
  },
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/guide/' },
      { text: 'Live', link: '/live/' },
      { text: 'API', link: '/api/index.html', target: '_self' },
    ],
    sidebar: {
      '/guide/': [{ text: 'Guides', items: guides.map(({ title, slug }) => ({ text: title, link: `/guide/${slug}` })) }],
      '/live/': [{ text: 'Live pages', items: livePages.map(({ title, slug }) => ({ text: title, link: `/live/${slug}` })) }],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
});
