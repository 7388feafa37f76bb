import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { parseLabelledLines } from './labelled-lines.js';

function code(f: () => unknown): { code: string; message: string } {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(EddyError); return { code: (e as EddyError).code, message: (e as Error).message }; }
  throw new Error('did not throw');
}

describe('parseLabelledLines', () => {
  test("label-first: a label, a tab or a space, the text (SST-2's format); blank lines and \\r\\n accepted", () => {
    const text = '1 a stirring , funny film\r\n\n0\tit \'s a mess .\n  \npositive   spaces kept inside  the text \n';
    expect(parseLabelledLines(text)).toEqual({
      labels: ['1', '0', 'positive'],
      texts: ['a stirring , funny film', "it 's a mess .", 'spaces kept inside  the text'],
    });
    expect(parseLabelledLines('')).toEqual({ labels: [], texts: [] });
  });

  test('tsv with a header and chosen columns', () => {
    const text = 'id\ttext\tlabel\n7\tgood film\tpos\n8\tbad film\tneg';
    expect(parseLabelledLines(text, { format: 'tsv', header: true, labelColumn: 2, textColumn: 1 })).toEqual({ labels: ['pos', 'neg'], texts: ['good film', 'bad film'] });
    expect(parseLabelledLines('pos\tgood\n', { format: 'tsv' })).toEqual({ labels: ['pos'], texts: ['good'] });
  });

  test('a bad line throws E_FORMAT naming its number', () => {
    expect(code(() => parseLabelledLines('1 fine\n\n0\n'))).toEqual({ code: 'E_FORMAT', message: 'parseLabelledLines: line 3: expected a label, a tab or a space, then the text, got "0"' });
    expect(code(() => parseLabelledLines(' leading space\n')).message).toMatch(/line 1: expected a label/);
    expect(code(() => parseLabelledLines('1 ok\n1   \t\n')).message).toMatch(/line 2: the example labelled "1" has no text/);
    expect(code(() => parseLabelledLines('a\tb\nc\n', { format: 'tsv' })).message).toMatch(/line 2: expected at least 2 tab-separated columns, got 1/);
    expect(code(() => parseLabelledLines('\tb\n', { format: 'tsv' })).message).toMatch(/line 1: the label column 0 is empty/);
  });

  test('strict options', () => {
    expect(code(() => parseLabelledLines('', { fromat: 'tsv' } as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/did you mean "format"/) });
    expect(code(() => parseLabelledLines('', { format: 'csv' as never })).message).toMatch(/format must be one of "label-first", "tsv"/);
    expect(code(() => parseLabelledLines('', { header: true })).message).toMatch(/apply to format 'tsv' only/);
    expect(code(() => parseLabelledLines('', { format: 'tsv', labelColumn: 1 })).message).toMatch(/must differ/);
    expect(code(() => parseLabelledLines(3 as never)).message).toMatch(/text must be a string, got 3/);
  });
});
