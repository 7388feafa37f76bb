import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Error codes belong to the package that throws them: each package types its codes (a union that
// narrows EddyError's plain-string `code`) and lists them in its README's "Errors" table. This
// reads the sources, so a new code thrown anywhere without being typed and documented fails here.

const root = join(import.meta.dirname, '..', '..', 'packages');

/** Where each package declares its union, and the package whose codes pass through it. */
const PACKAGES = {
  'core-wasm': { file: 'src/errors.ts', type: 'CoreErrorCode', below: null },
  autograd: { file: 'src/backend.ts', type: 'AutogradErrorCode', below: 'core-wasm' },
  models: { file: 'src/errors.ts', type: 'ModelsErrorCode', below: 'autograd' },
  text: { file: 'src/errors.ts', type: 'TextErrorCode', below: 'autograd' },
  // The CLI passes the libraries' codes through (its README says so in one row) and documents its own.
  cli: { file: 'src/errors.ts', type: 'CliErrorCode', below: 'models' },
} as const;
type Package = keyof typeof PACKAGES;

const codesIn = (text: string) => new Set([...text.matchAll(/'(E_[A-Z_]+)'/g)].map((m) => m[1]));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The codes of a package's own union. */
function ownCodes(pkg: Package): Set<string> {
  const { file, type } = PACKAGES[pkg];
  const text = readFileSync(join(root, pkg, file), 'utf8');
  const declaration = new RegExp(`export type ${type} =([^;]*);`).exec(text);
  if (declaration === null) throw new Error(`${pkg}: no ${type} in ${file}`);
  return codesIn(declaration[1]);
}

/** The codes of a package's union, with those of the package below it that pass through. */
function union(pkg: Package): Set<string> {
  const below = PACKAGES[pkg].below;
  return below === null ? ownCodes(pkg) : new Set([...ownCodes(pkg), ...union(below)]);
}

function documented(pkg: Package): Set<string> {
  const readme = readFileSync(join(root, pkg, 'README.md'), 'utf8');
  return new Set([...readme.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]));
}

describe('every package types and documents the codes it throws', () => {
  it.each(Object.keys(PACKAGES) as Package[])('%s', (pkg) => {
    const thrown = new Set(sources(join(root, pkg, 'src')).flatMap((f) => [...codesIn(readFileSync(f, 'utf8'))]));
    const typed = union(pkg);
    const table = documented(pkg);
    expect(thrown.size).toBeGreaterThan(0);
    for (const code of thrown) {
      expect(typed, `${pkg} throws ${code}, which its ${PACKAGES[pkg].type} lacks`).toContain(code);
      // A code of the packages below is documented there; the CLI's own (and every library's) here.
      if (pkg !== 'cli' || ownCodes(pkg).has(code)) expect(table, `${pkg} throws ${code}, which its README's Errors table lacks`).toContain(code);
    }
    for (const code of table) expect(typed, `${pkg}'s README lists ${code}, which its ${PACKAGES[pkg].type} lacks`).toContain(code);
  });
});
