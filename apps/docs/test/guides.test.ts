import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runnableBlocks, runnableBlocksOf } from '../src/guide-code.js';
import { guides } from '../src/pages.js';

// Every ```ts run block of every guide runs here, in page order, against the built packages. Each
// block is written to .guide-code/ (inside the workspace, so its imports resolve as a reader's
// would) and imported; a block fails the test by throwing, and must assert something.

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.guide-code');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

describe('runnableBlocks', () => {
  it('takes only ts run fences, with their lines', () => {
    const md = 'text\n```ts run\nconst a = 1;\n```\n```ts\nnot run\n```\n```sh\nls\n```\n\n```ts run\nb();\n```\n';
    expect(runnableBlocks(md)).toEqual([{ line: 2, code: 'const a = 1;\n' }, { line: 12, code: 'b();\n' }]);
    expect(() => runnableBlocks('```ts run\nx')).toThrow(/line 1 is not closed/);
  });
});

describe.each(guides)('guide "$title"', ({ slug }) => {
  const blocks = runnableBlocksOf(join(root, 'site', 'guide', `${slug}.md`));

  it('has runnable code, and every block asserts something', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(b.code, `block at line ${b.line}`).toMatch(/\bassert(\.\w+)?\(/);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('the block at line %i runs and its assertions hold', async (_, block) => {
    const file = join(out, `${slug}-${block.line}.ts`);
    writeFileSync(file, block.code);
    await import(pathToFileURL(file).href);
  });
});
