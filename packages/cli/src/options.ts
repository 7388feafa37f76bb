import { closestName } from '@eddy/autograd/internal';
import { UsageError } from './errors.js';

// One schema per command drives parsing, validation, defaults and `--help`: an option that is not
// in the schema cannot be parsed, and one that is in it is always listed in the help text.

/** How a flag's value is read. `flag` takes no value (present = true). */
export type OptionType = 'int' | 'number' | 'string' | 'choice' | 'flag';

/** One `--name` option of a command. */
export interface OptionSpec {
  /** The flag without dashes, kebab-case: `seq-len`. */
  name: string;
  type: OptionType;
  /** One line for `--help`. */
  help: string;
  /** Used when the flag is absent; shown in `--help`. Absent = the option is unset (undefined). */
  default?: number | string | boolean;
  /** Allowed values of a `choice`. */
  choices?: readonly string[];
  /**
   * A `choice` that may be given several times or as a comma list (`--workload W1,W4 --workload W2`);
   * its value is the list in order, without repeats (read it with `ParsedArgs.list`).
   */
  list?: boolean;
  /** Inclusive lower bound of a number (`minOpen` makes it exclusive). */
  min?: number;
  minOpen?: boolean;
  /** Inclusive upper bound (`maxOpen` makes it exclusive). */
  max?: number;
  maxOpen?: boolean;
  /** The placeholder in help and messages, e.g. `DIR`, `TEXT`, `N`. */
  valueName?: string;
}

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  help: string;
  required: boolean;
}

/** A command's whole interface. */
export interface CommandSpec {
  name: string;
  /** One whole sentence for the command list of `eddy --help` (at most one line). */
  short: string;
  /** The opening paragraph of the command's own `--help`. */
  summary: string;
  positionals: readonly PositionalSpec[];
  options: readonly OptionSpec[];
  /** Lines shown under "Examples:" in `--help`. */
  examples?: readonly string[];
}

/** The options every command takes (added to each schema by `withCommonOptions`). */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'flag', help: 'machine-readable output: JSON (lines) on stdout' },
  { name: 'help', type: 'flag', help: 'show this help and exit' },
];

export function withCommonOptions(spec: CommandSpec): CommandSpec {
  return { ...spec, options: [...spec.options, ...COMMON_OPTIONS] };
}

export type OptionValue = number | string | boolean | readonly string[];

/** What `parseArgs` returns: positionals, every option's value (defaults filled), and which flags were given. */
export class ParsedArgs {
  constructor(
    readonly spec: CommandSpec,
    readonly positionals: readonly string[],
    readonly values: Readonly<Record<string, OptionValue | undefined>>,
    readonly given: ReadonlySet<string>,
  ) {}

  number(name: string): number {
    return this.values[this.known(name)] as number;
  }

  optionalNumber(name: string): number | undefined {
    return this.values[this.known(name)] as number | undefined;
  }

  string(name: string): string {
    return this.values[this.known(name)] as string;
  }

  optionalString(name: string): string | undefined {
    return this.values[this.known(name)] as string | undefined;
  }

  /** The values of a `list` option, [] when it was not given. */
  list(name: string): readonly string[] {
    return (this.values[this.known(name)] as readonly string[] | undefined) ?? [];
  }

  flag(name: string): boolean {
    return this.values[this.known(name)] === true;
  }

  has(name: string): boolean {
    return this.given.has(this.known(name));
  }

  // A misspelt name in Eddy's own code is a bug: fail loudly rather than read undefined.
  private known(name: string): string {
    if (!this.spec.options.some((o) => o.name === name)) throw new Error(`option --${name} is not in the schema of eddy ${this.spec.name}`);
    return name;
  }
}

function describeRange(o: OptionSpec): string {
  const lo = o.min === undefined ? null : `${o.minOpen ? '(' : '['}${o.min}`;
  const hi = o.max === undefined ? null : `${o.max}${o.maxOpen ? ')' : ']'}`;
  if (lo && hi) return `in ${lo}, ${hi}`;
  if (lo) return o.minOpen ? `greater than ${o.min}` : `at least ${o.min}`;
  if (hi) return o.maxOpen ? `less than ${o.max}` : `at most ${o.max}`;
  return '';
}

function expectation(o: OptionSpec): string {
  if (o.type === 'choice') return `one of ${o.choices!.join(', ')}`;
  if (o.type === 'string') return `a ${o.valueName ?? 'value'}`;
  const kind = o.type === 'int' ? 'an integer' : 'a number';
  const range = describeRange(o);
  return range ? `${kind} ${range}` : kind;
}

function readValue(command: string, o: OptionSpec, raw: string): OptionValue {
  const bad = (): UsageError => new UsageError(`--${o.name} expects ${expectation(o)}, got '${raw}'; see eddy ${command} --help.`);
  if (o.type === 'string') {
    if (raw === '') throw bad();
    return raw;
  }
  if (o.type === 'choice') {
    if (o.choices!.includes(raw)) return raw;
    const guess = closestName(raw, o.choices!);
    throw new UsageError(`--${o.name} expects one of ${o.choices!.join(', ')}, got '${raw}'${guess ? `; did you mean ${guess}?` : '.'}`);
  }
  // Number(' ') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) throw bad();
  const value = Number(raw);
  if (!Number.isFinite(value) || (o.type === 'int' && !Number.isSafeInteger(value))) throw bad();
  if (o.min !== undefined && (o.minOpen ? value <= o.min : value < o.min)) throw bad();
  if (o.max !== undefined && (o.maxOpen ? value >= o.max : value > o.max)) throw bad();
  return value;
}

/**
 * Parses `argv` (the words after the command name) against `spec`: `--name value`, `--name=value`,
 * `--flag`, `--` ends options. Unknown flags suggest the closest known one; malformed values and
 * values out of range say what was expected. Throws UsageError (exit code 2).
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const values: Record<string, OptionValue | undefined> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (onlyPositionals || !word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      onlyPositionals = true;
      continue;
    }
    if (word === '-h') {
      given.add('help');
      values.help = true;
      continue;
    }
    const eq = word.indexOf('=');
    const name = (eq < 0 ? word : word.slice(0, eq)).replace(/^--?/, '');
    const o = byName.get(name);
    if (o === undefined || !word.startsWith('--')) {
      const guess = closestName(name, byName.keys());
      throw new UsageError(`unknown option ${word.slice(0, eq < 0 ? undefined : eq)} for eddy ${spec.name}${guess ? `; did you mean --${guess}?` : `; see eddy ${spec.name} --help.`}`);
    }
    if (given.has(name) && !o.list) throw new UsageError(`--${name} is given twice; give it once.`);
    given.add(name);
    if (o.type === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got '${word.slice(eq + 1)}'; write just --${name}.`);
      values[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = word.slice(eq + 1);
    else {
      // A following word that is itself a flag means the value was forgotten (negative numbers are values).
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && !/^--?\d/.test(next))) {
        throw new UsageError(`--${name} needs a value (${expectation(o)}); see eddy ${spec.name} --help.`);
      }
      raw = next;
      i++;
    }
    if (o.list) {
      const items = (values[name] as string[] | undefined) ?? [];
      for (const item of raw.split(',')) {
        const value = readValue(spec.name, o, item.trim()) as string;
        if (!items.includes(value)) items.push(value);
      }
      values[name] = items;
    } else values[name] = readValue(spec.name, o, raw);
  }
  for (const o of spec.options) if (!given.has(o.name)) values[o.name] = o.type === 'flag' ? false : o.default;
  if (values.help !== true) checkPositionals(spec, positionals);
  return new ParsedArgs(spec, positionals, values, given);
}

function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const required = spec.positionals.filter((p) => p.required);
  if (positionals.length < required.length) {
    const missing = required[positionals.length];
    throw new UsageError(`eddy ${spec.name} needs ${missing.help.replace(/\.$/, '')} as ${missing.name.toUpperCase()}: ${usageLine(spec)}.`);
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length];
    throw new UsageError(`unexpected argument '${extra}' for eddy ${spec.name}; usage: ${usageLine(spec)}.`);
  }
}

/** `eddy train [CORPUS] [options]`. */
export function usageLine(spec: CommandSpec): string {
  const args = spec.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`));
  return ['eddy', spec.name, ...args, '[options]'].join(' ');
}

function optionLabel(o: OptionSpec): string {
  if (o.type === 'flag') return `--${o.name}`;
  if (o.type === 'choice') return `--${o.name} ${o.choices!.join('|')}`;
  return `--${o.name} ${o.valueName ?? (o.type === 'string' ? 'VALUE' : 'N')}`;
}

/** The `--help` text, generated from the schema: every option, its meaning, range and default. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary, ''];
  if (spec.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.toUpperCase().padEnd(26)} ${p.help}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const o of spec.options) {
    const notes: string[] = [];
    const range = o.type === 'int' || o.type === 'number' ? describeRange(o) : '';
    if (range) notes.push(range);
    if (o.list) notes.push('repeatable, or a comma list');
    if (o.default !== undefined && o.type !== 'flag') notes.push(`default ${o.default}`);
    const label = optionLabel(o);
    const text = `${o.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    lines.push(label.length <= 26 ? `  ${label.padEnd(26)} ${text}` : `  ${label}\n  ${''.padEnd(26)} ${text}`);
  }
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n') + '\n';
}
