import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';

/** The built-in corpus's file name inside `packages/cli/corpus/` (made by `scripts/build-corpus.mjs`). */
export const BUILTIN_CORPUS_FILE = 'eddy-sources.txt';

/** The largest corpus read (the whole text is held in memory, with its ids). */
export const MAX_CORPUS_BYTES = 512 * 1024 * 1024;

/** A corpus as read: its text, where it came from, and a hash that `--resume` checks. */
export interface Corpus {
  text: string;
  /** The path given, or null for the built-in corpus. */
  path: string | null;
  /** What to call it in messages. */
  label: string;
  /** sha256 of the bytes, hex. */
  sha256: string;
}

/**
 * The package root (the folder with package.json), found from this file both in `src/` (tests)
 * and in `dist/` (the installed bin).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new CliError('cannot find the @eddy/cli package folder; reinstall eddy.');
    dir = up;
  }
  return dir;
}

export function builtinCorpusPath(): string {
  return join(packageRoot(), 'corpus', BUILTIN_CORPUS_FILE);
}

/** The built-in corpus: Eddy's own TypeScript sources, gathered at build time. */
export function readBuiltinCorpus(): Corpus {
  const path = builtinCorpusPath();
  if (!existsSync(path)) {
    throw new CliError(`the built-in corpus ${path} is missing; run npm run build (it gathers Eddy's sources) or give a corpus file.`);
  }
  return { ...decodeText(readFileSync(path), { what: 'the built-in corpus', verb: 'train on' }), path: null, label: 'the built-in corpus (Eddy\'s TypeScript sources)' };
}

/** What a text file is to the command reading it, for its error sentences. */
interface TextRole {
  /** `the corpus X`, `the file X`. */
  what: string;
  /** What the command does with it: `train on`, `evaluate`. */
  verb: string;
  /** The end of the sentence when the path does not exist. */
  missing: string;
  /** The end of the sentence when the path is a directory. */
  directory: string;
}

/**
 * Reads a user's corpus file and rejects what cannot be trained on, each with one sentence:
 * missing, a directory, empty, too large, binary (a NUL byte) or not UTF-8.
 */
export function readCorpusFile(path: string): Corpus {
  return readTextFile(path, {
    what: `the corpus ${path}`,
    verb: 'train on',
    missing: 'check the path, or omit it to train on the built-in corpus',
    directory: 'give a UTF-8 text file (or no corpus, for the built-in one)',
  });
}

/** Reads the text file `eddy eval` evaluates on; its errors name the file and evaluation. */
export function readEvalFile(path: string): Corpus {
  return readTextFile(path, {
    what: `the file ${path}`,
    verb: 'evaluate',
    missing: 'check the path of the text file to evaluate on',
    directory: 'give eddy eval a UTF-8 text file to evaluate on',
  });
}

/** Reads a data file a command family reads (`the training file X`, `train on`); errors name it so. */
export function readDataFile(path: string, what: string, verb: string): Corpus {
  return readTextFile(path, { what: `${what} ${path}`, verb, missing: `check the path of the file to ${verb}`, directory: `give a UTF-8 text file to ${verb}` });
}

function readTextFile(path: string, role: TextRole): Corpus {
  const { what } = role;
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CliError(`${what} is a directory; ${role.directory}.`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what} does not exist or cannot be read; ${role.missing}.`);
  }
  if (size === 0) throw new CliError(`${what} is empty; give a UTF-8 text file with some text in it.`);
  if (size > MAX_CORPUS_BYTES) throw new CliError(`${what} is ${size} bytes, above the ${MAX_CORPUS_BYTES}-byte limit; ${role.verb} a part of it.`);
  return { ...decodeText(readFileSync(path), role), path, label: path };
}

function decodeText(bytes: Uint8Array, role: { what: string; verb: string }): { text: string; sha256: string } {
  const { what } = role;
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new CliError(`${what} looks binary (a NUL byte at offset ${nul}); ${role.verb} a UTF-8 text file.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${what} is not valid UTF-8 text; convert it to UTF-8 (e.g. iconv -t UTF-8) and try again.`);
  }
  if (text.trim().length === 0) throw new CliError(`${what} holds only whitespace; give a file with some text in it.`);
  return { text, sha256: createHash('sha256').update(bytes).digest('hex') };
}
