import { readFileSync } from 'node:fs';
import { readDataFile } from './corpus.js';
import { CliError } from './errors.js';
import type { OptionSpec } from './options.js';

/**
 * The lines a predicting command reads: from `input` (a file) or, without it, from stdin; one item
 * per line, a final newline ending the last one, `\r\n` read as `\n`. `what` names the items in
 * messages ("texts", "trees").
 */
export function readInputLines(input: string | undefined, what: string): string[] {
  let text: string;
  if (input !== undefined) text = readDataFile(input, 'the input file', 'label').text;
  else {
    let bytes: Buffer;
    try {
      bytes = readFileSync(0);
    } catch (e) {
      throw new CliError(`cannot read the ${what} from stdin (${(e as NodeJS.ErrnoException).code ?? 'error'}); pipe them in, or give --input FILE.`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CliError('stdin is not valid UTF-8 text; convert it to UTF-8 (e.g. iconv -t UTF-8) and try again.');
    }
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The `--input FILE` option of a command that reads its `what` ("texts", "trees or sentences") with readInputLines. */
export function inputOption(what: string): OptionSpec {
  return { name: 'input', type: 'string', valueName: 'FILE', help: `read the ${what} from FILE instead of stdin` };
}
