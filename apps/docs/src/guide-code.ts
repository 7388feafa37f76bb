import { readFileSync } from 'node:fs';

/** A code block of a guide that the tests run. */
export interface RunnableBlock {
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  code: string;
}

/**
 * The blocks of a markdown page fenced as ```` ```ts run ````, in page order. Other blocks (plain
 * `ts`, `sh`, `python`) are illustrations and are not run.
 */
export function runnableBlocks(markdown: string): RunnableBlock[] {
  const blocks: RunnableBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts run\s*$/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i === lines.length) throw new Error(`the ts run block at line ${start + 1} is not closed`);
    blocks.push({ line: start + 1, code: body.join('\n') + '\n' });
  }
  return blocks;
}

/** The runnable blocks of a page file. */
export function runnableBlocksOf(file: string): RunnableBlock[] {
  return runnableBlocks(readFileSync(file, 'utf8'));
}
