import { describe, expect, test } from 'vitest';
import { COMMANDS } from './main.js';
import { helpText, parseArgs, type CommandSpec } from './options.js';
import { UsageError } from './errors.js';

const SPEC: CommandSpec = {
  name: 'demo',
  short: 'A demo.',
  summary: 'a demo',
  positionals: [{ name: 'file', help: 'a file', required: false }],
  options: [
    { name: 'hidden', type: 'int', min: 1, default: 128, help: 'hidden size' },
    { name: 'dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: 0, help: 'dropout' },
    { name: 'model', type: 'choice', choices: ['lstm', 'gru', 'rnn'], default: 'lstm', help: 'cell' },
    { name: 'out', type: 'string', valueName: 'DIR', help: 'output' },
    { name: 'json', type: 'flag', help: 'json' },
    { name: 'only', type: 'choice', choices: ['W1', 'W2', 'W3', 'W4'], list: true, help: 'workloads' },
  ],
};

function usageError(argv: string[]): string {
  try {
    parseArgs(SPEC, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  test('reads --name value, --name=value, flags and positionals; fills defaults', () => {
    const a = parseArgs(SPEC, ['in.txt', '--hidden', '64', '--dropout=0.25', '--json', '--out', 'run']);
    expect(a.positionals).toEqual(['in.txt']);
    expect(a.number('hidden')).toBe(64);
    expect(a.number('dropout')).toBe(0.25);
    expect(a.string('model')).toBe('lstm');
    expect(a.string('out')).toBe('run');
    expect(a.flag('json')).toBe(true);
    expect(a.has('model')).toBe(false);
    expect(a.has('hidden')).toBe(true);
  });

  test('an unknown flag suggests the closest one', () => {
    expect(usageError(['--hiden', '3'])).toBe('unknown option --hiden for eddy demo; did you mean --hidden?');
    expect(usageError(['--zzzzzz'])).toMatch(/^unknown option --zzzzzz for eddy demo; see eddy demo --help\.$/);
  });

  test('malformed and out-of-range values say what was expected', () => {
    expect(usageError(['--hidden', 'abc'])).toBe("--hidden expects an integer at least 1, got 'abc'; see eddy demo --help.");
    expect(usageError(['--hidden', '2.5'])).toMatch(/expects an integer/);
    expect(usageError(['--hidden', '0x10'])).toMatch(/expects an integer/);
    expect(usageError(['--hidden', '0'])).toMatch(/at least 1, got '0'/);
    expect(usageError(['--dropout', '1'])).toMatch(/in \[0, 1\), got '1'/);
    expect(usageError(['--model', 'lstn'])).toBe("--model expects one of lstm, gru, rnn, got 'lstn'; did you mean lstm?");
    expect(usageError(['--hidden'])).toMatch(/^--hidden needs a value/);
    expect(usageError(['--hidden', '--json'])).toMatch(/^--hidden needs a value/);
    expect(usageError(['--json=yes'])).toMatch(/takes no value/);
    expect(usageError(['--hidden', '3', '--hidden', '4'])).toMatch(/given twice/);
    expect(usageError(['a', 'b'])).toMatch(/unexpected argument 'b'/);
  });

  test('only near misses are suggested, and nothing on a tie (closestName, shared by every package)', () => {
    expect(usageError(['--only', 'W5'])).toBe("--only expects one of W1, W2, W3, W4, got 'W5'.");
    expect(usageError(['--only', 'W44'])).toBe("--only expects one of W1, W2, W3, W4, got 'W44'; did you mean W4?");
    expect(usageError(['--hid', '3'])).toBe('unknown option --hid for eddy demo; did you mean --hidden?');
  });

  test('a list option takes repeats and comma lists, in order, without duplicates; [] when absent', () => {
    expect(parseArgs(SPEC, ['--only', 'W4,W1', '--only=W2', '--only', 'W4']).list('only')).toEqual(['W4', 'W1', 'W2']);
    expect(parseArgs(SPEC, []).list('only')).toEqual([]);
    expect(usageError(['--only', 'W1,w3'])).toBe("--only expects one of W1, W2, W3, W4, got 'w3'; did you mean W3?");
    expect(usageError(['--only', 'W1,'])).toBe("--only expects one of W1, W2, W3, W4, got ''.");
    expect(helpText(SPEC)).toContain('--only W1|W2|W3|W4');
    expect(helpText(SPEC)).toContain('repeatable, or a comma list');
  });
});

describe('--help', () => {
  test.each(Object.keys(COMMANDS))('eddy %s --help lists every option of its schema', (name) => {
    const spec = COMMANDS[name].spec;
    const help = helpText(spec);
    for (const o of spec.options) expect(help).toContain(`--${o.name}`);
    for (const p of spec.positionals) expect(help).toContain(p.name.toUpperCase());
    for (const o of spec.options) if (o.default !== undefined && o.type !== 'flag') expect(help).toContain(`default ${o.default}`);
  });
});
