import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestName } from '@eddy/autograd/internal';
import { runBench } from './commands/bench/bench.js';
import { BENCH_SPEC } from './commands/bench/spec.js';
import { CLASSIFY_SUBCOMMANDS } from './commands/classify/classify.js';
import { CLASSIFY_SPEC } from './commands/classify/spec.js';
import { SEQ2SEQ_SUBCOMMANDS } from './commands/seq2seq/seq2seq.js';
import { SEQ2SEQ_SPEC } from './commands/seq2seq/spec.js';
import { EVAL_SPEC } from './commands/eval/spec.js';
import { EXPORT_SPEC } from './commands/export/spec.js';
import { INSPECT_SPEC } from './commands/inspect/spec.js';
import { runInspect } from './commands/inspect/inspect.js';
import { runExport } from './commands/export/export.js';
import { runEval } from './commands/eval/eval.js';
import { SAMPLE_SPEC } from './commands/sample/spec.js';
import { runSample } from './commands/sample/sample.js';
import { TRAIN_SPEC } from './commands/train/spec.js';
import { TREE_SUBCOMMANDS } from './commands/tree/tree.js';
import { TREE_SPEC } from './commands/tree/spec.js';
import { runTrain } from './commands/train/train.js';
import { onThreads } from './threads.js';
import { packageRoot } from './corpus.js';
import { UsageError, userMessage } from './errors.js';
import { helpText, parseArgs, type CommandSpec, type ParsedArgs } from './options.js';
import type { Io } from './progress.js';

export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: Io, signal: AbortSignal): Promise<number>;
  /** A command family (`eddy classify train`): its first argument names one of these. */
  subcommands?: Readonly<Record<string, Command>>;
}

/** The commands, by name; each folder under commands/ holds one (spec.ts + its runner + tests). */
export const COMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: TRAIN_SPEC, run: runTrain },
  sample: onThreads(SAMPLE_SPEC, runSample, 1),
  eval: onThreads(EVAL_SPEC, runEval),
  bench: { spec: BENCH_SPEC, run: (a, io) => runBench(a, io) },
  export: { spec: EXPORT_SPEC, run: (a, io) => runExport(a, io) },
  inspect: { spec: INSPECT_SPEC, run: (a, io) => runInspect(a, io) },
  classify: { spec: CLASSIFY_SPEC, run: async () => 0, subcommands: CLASSIFY_SUBCOMMANDS },
  tree: { spec: TREE_SPEC, run: async () => 0, subcommands: TREE_SUBCOMMANDS },
  seq2seq: { spec: SEQ2SEQ_SPEC, run: async () => 0, subcommands: SEQ2SEQ_SUBCOMMANDS },
};

/** The command `words` (the arguments after `eddy`) name, and the arguments left for it; a family's help is its spec's. */
function resolveCommand(words: readonly string[]): { command: Command; rest: readonly string[] } {
  const [name, ...rest] = words;
  const command = COMMANDS[name];
  if (command === undefined) {
    const guess = closestName(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command '${name}'${guess ? `; did you mean eddy ${guess}?` : `; the commands are ${Object.keys(COMMANDS).join(', ')} (see eddy --help).`}`);
  }
  if (command.subcommands === undefined) return { command, rest };
  const [sub, ...subRest] = rest;
  const names = Object.keys(command.subcommands);
  if (sub === undefined || sub.startsWith('-')) {
    if (sub === undefined || sub === '--help' || sub === '-h') return { command, rest: ['--help'] };
    throw new UsageError(`eddy ${name} needs a subcommand first (${names.join(', ')}), got '${sub}'; see eddy ${name} --help.`);
  }
  const chosen = command.subcommands[sub];
  if (chosen === undefined) {
    const guess = closestName(sub, names);
    throw new UsageError(`unknown subcommand '${sub}' of eddy ${name}${guess ? `; did you mean eddy ${name} ${guess}?` : `; the subcommands are ${names.join(', ')}.`}`);
  }
  return { command: chosen, rest: subRest };
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A command's `--help`; a family's lists its subcommands after its own. */
function commandHelp(command: Command): string {
  if (command.subcommands === undefined) return helpText(command.spec);
  const width = Math.max(8, ...Object.keys(command.subcommands).map((name) => name.length));
  const lines = Object.entries(command.subcommands).map(([name, c]) => `  ${name.padEnd(width)} ${c.spec.short}`);
  return `${helpText(command.spec)}\nSubcommands:\n${lines.join('\n')}\n\nRun eddy ${command.spec.name} <subcommand> --help for its options.\n`;
}

function topHelp(): string {
  const lines = ['Usage: eddy <command> [options]', '', 'Train and sample recurrent language models (char-rnn for npm).', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.spec.short}`);
  lines.push('', 'Run eddy <command> --help for its options. Every command takes --json.', '');
  return lines.join('\n');
}

/**
 * Runs the eddy command line `argv` (the words after `eddy`) and returns the exit code. Nothing
 * escapes: any error becomes one sentence on stderr (and `{"error":…}` on stdout with --json).
 */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' ? rest[0] : undefined;
      io.stdout.write(target !== undefined && COMMANDS[target] ? commandHelp(resolveCommand(rest).command) : topHelp());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(version() + '\n');
      return 0;
    }
    const { command, rest: words } = resolveCommand(argv);
    const args = parseArgs(command.spec, words);
    if (args.flag('help')) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(args, io, signal);
  } catch (error) {
    const { message, exitCode, code } = userMessage(error);
    io.stderr.write(`eddy: ${message}\n`);
    if (process.env.EDDY_DEBUG && error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
    if (json) io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    return exitCode;
  }
}
