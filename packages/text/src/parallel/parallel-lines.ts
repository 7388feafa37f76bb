import { intOption } from '@eddy/autograd/internal';
import { checkOptions, describe, fail } from '../errors.js';

/** Options of {@link parseParallelLines}. */
export interface ParallelLinesOptions {
  /** What error messages call the text, as `${name}:${line}` (a file name). Default 'text'. */
  name?: string;
  /** The most pairs read; a text with more throws E_FORMAT (a bound on hostile input). Default: no limit. */
  maxLines?: number;
}

/** One sentence pair as read: both sides trimmed and non-empty, and its line number (from 1). */
export interface ParallelPair {
  source: string;
  target: string;
  line: number;
}

/** What {@link parseParallelLines} returns: the pairs in file order. */
export interface ParallelLines {
  pairs: ParallelPair[];
}

/**
 * Reads a parallel corpus, one `source<TAB>target` pair per line (the layout of the Tatoeba /
 * manythings.org files, whose extra attribution columns are ignored). Blank lines are skipped and
 * `\r\n` is accepted; each side is trimmed. A line without a tab, or with an empty side, throws
 * E_FORMAT naming `${name}:${line}` and what was wrong.
 *
 * @example
 * const { pairs } = parseParallelLines('va !\tgo.\ncours !\trun!\n', { name: 'fra.tsv' });
 * // pairs[1]: { source: 'cours !', target: 'run!', line: 2 }
 */
export function parseParallelLines(text: string, options: ParallelLinesOptions = {}): ParallelLines {
  const op = 'parseParallelLines';
  if (typeof text !== 'string') throw fail('E_ARGUMENT', `${op}: text must be a string, got ${describe(text)}`);
  const o = checkOptions(op, options, ['name', 'maxLines']);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw fail('E_ARGUMENT', `${op}: name must be a non-empty string, got ${describe(o.name)}`);
  const name = (o.name as string | undefined) ?? 'text';
  const maxLines = o.maxLines === undefined ? Infinity : intOption(op, 'maxLines', o.maxLines, 1);
  const pairs: ParallelPair[] = [];
  // Walk the lines by index rather than split('\n'): a hostile file past maxLines is refused
  // without building an array of all its lines.
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
    start = end + 1;
    if (raw.trim() === '') continue;
    const where = `${op}: ${name}:${line}`;
    const tab = raw.indexOf('\t');
    if (tab < 0) throw fail('E_FORMAT', `${where}: expected source<TAB>target, got a line without a tab: ${describe(raw)}`);
    const next = raw.indexOf('\t', tab + 1);
    const source = raw.slice(0, tab).trim();
    const target = raw.slice(tab + 1, next < 0 ? undefined : next).trim();
    if (source === '') throw fail('E_FORMAT', `${where}: the source side (before the tab) is empty: ${describe(raw)}`);
    if (target === '') throw fail('E_FORMAT', `${where}: the target side (after the tab) is empty: ${describe(raw)}`);
    if (pairs.length === maxLines) throw fail('E_FORMAT', `${where}: more than maxLines = ${maxLines} pairs`);
    pairs.push({ source, target, line });
  }
  return { pairs };
}
