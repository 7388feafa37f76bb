#!/usr/bin/env node
// Gathers the built-in training corpus: Eddy's own TypeScript sources (packages/*/src/**/*.ts,
// tests and declaration files excluded), concatenated in sorted path order, each file under a
// `// ==> path <==` header. Deterministic: the same tree gives the same bytes. Runs at build time,
// so the corpus ships in the package (`files`) and training needs no download. In an installed
// package (no sibling sources) an existing corpus is kept as is.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(cliRoot, '..', '..');
const packagesDir = join(repoRoot, 'packages');
const out = join(cliRoot, 'corpus', 'eddy-sources.txt');

function walk(dir, files) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Generated files (the core's embedded wasm) are data, not sources to learn from.
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') walk(path, files);
    }
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.test\.ts$/.test(entry.name)) files.push(path);
  }
}

const files = [];
if (existsSync(packagesDir)) {
  for (const pkg of readdirSync(packagesDir, { withFileTypes: true })) {
    const src = join(packagesDir, pkg.name, 'src');
    if (pkg.isDirectory() && existsSync(src)) walk(src, files);
  }
}
if (files.length === 0) {
  if (existsSync(out)) process.exit(0);
  console.error('build-corpus: no sources under packages/*/src and no corpus to keep');
  process.exit(1);
}
// Sort by the repository-relative path with '/' separators, compared by code unit: the same
// order on every platform and locale.
const entries = files.map((f) => ({ f, rel: relative(repoRoot, f).split(sep).join('/') }));
entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
const parts = [];
for (const { f, rel } of entries) {
  const text = readFileSync(f, 'utf8').replace(/\r\n/g, '\n');
  parts.push(`// ==> ${rel} <==\n${text.endsWith('\n') ? text : text + '\n'}\n`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out + '.tmp', parts.join(''));
renameSync(out + '.tmp', out);
console.log(`build-corpus: ${entries.length} files, ${parts.reduce((n, p) => n + p.length, 0)} characters → ${relative(repoRoot, out)}`);
