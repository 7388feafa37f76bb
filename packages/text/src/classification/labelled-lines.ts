import { choiceOption, intOption } from '@eddy/autograd/internal';
import { boolOption, checkOptions, describe, fail } from '../errors.js';

/** Options of {@link parseLabelledLines}. */
export interface LabelledLinesOptions {
  /**
   * 'label-first' (default): the label, a tab or a space, then the text (the SST-2 files of Kim
   * (2014)); 'tsv': tab-separated columns, the label and the text in `labelColumn` and `textColumn`.
   */
  format?: 'label-first' | 'tsv';
  /** With 'tsv': the column of the label (from 0). Default 0. */
  labelColumn?: number;
  /** With 'tsv': the column of the text (from 0). Default 1. */
  textColumn?: number;
  /** With 'tsv': the first line is a header and is skipped. Default false. */
  header?: boolean;
}

/** Labelled examples, in file order: `labels[i]` is the label of `texts[i]`. */
export interface LabelledLines {
  labels: string[];
  texts: string[];
}

const FORMATS = ['label-first', 'tsv'] as const;

/**
 * Reads one example per line: blank lines (and a final newline) are skipped, `\r\n` is accepted.
 * Labels are kept as strings (map them to classes with the label set of the training file). A line
 * without a label or without text, or a TSV line with too few columns, throws E_FORMAT naming its
 * line number (from 1).
 *
 * @example
 * const { labels, texts } = parseLabelledLines('1 a stirring , funny film\n0 a mess .\n');
 * // labels ['1', '0'], texts ['a stirring , funny film', 'a mess .']
 */
export function parseLabelledLines(text: string, options: LabelledLinesOptions = {}): LabelledLines {
  const op = 'parseLabelledLines';
  if (typeof text !== 'string') throw fail('E_ARGUMENT', `${op}: text must be a string, got ${describe(text)}`);
  const o = checkOptions(op, options, ['format', 'labelColumn', 'textColumn', 'header']);
  const format = choiceOption(op, 'format', o.format, FORMATS, 'label-first');
  const labelColumn = intOption(op, 'labelColumn', o.labelColumn, 0, 0);
  const textColumn = intOption(op, 'textColumn', o.textColumn, 0, 1);
  const header = boolOption(op, 'header', o.header, false);
  if (format === 'label-first' && (o.labelColumn !== undefined || o.textColumn !== undefined || o.header !== undefined)) {
    throw fail('E_ARGUMENT', `${op}: labelColumn, textColumn and header apply to format 'tsv' only, got format 'label-first'`);
  }
  if (format === 'tsv' && labelColumn === textColumn) {
    throw fail('E_ARGUMENT', `${op}: labelColumn and textColumn must differ, got ${labelColumn} for both`);
  }
  const labels: string[] = [];
  const texts: string[] = [];
  const lines = text.split('\n');
  for (let i = header ? 1 : 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const where = `${op}: line ${i + 1}`;
    let label: string;
    let body: string;
    if (format === 'label-first') {
      const cut = line.search(/[\t ]/);
      if (cut <= 0) throw fail('E_FORMAT', `${where}: expected a label, a tab or a space, then the text, got ${describe(line)}`);
      label = line.slice(0, cut);
      body = line.slice(cut + 1).trim();
    } else {
      const columns = line.split('\t');
      const needed = Math.max(labelColumn, textColumn) + 1;
      if (columns.length < needed) throw fail('E_FORMAT', `${where}: expected at least ${needed} tab-separated columns, got ${columns.length}`);
      label = columns[labelColumn].trim();
      body = columns[textColumn].trim();
      if (label === '') throw fail('E_FORMAT', `${where}: the label column ${labelColumn} is empty`);
    }
    if (body === '') throw fail('E_FORMAT', `${where}: the example labelled ${describe(label)} has no text`);
    labels.push(label);
    texts.push(body);
  }
  return { labels, texts };
}

