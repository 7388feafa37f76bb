import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../test/helpers.js';
import { OLD_SUFFIX, replaceDirectory, resolveCheckpointDir, TMP_SUFFIX, type FileContent } from './atomic-dir.js';

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');

describe('replaceDirectory', () => {
  test('writes a new directory, then replaces it whole, carrying what is asked', () => {
    const dir = join(tempDir(), 'ck');
    replaceDirectory(dir, new Map([['a.json', '1'], ['best/a.json', 'best 1']]));
    expect(read(dir, 'a.json')).toBe('1');
    replaceDirectory(dir, new Map<string, FileContent>([['a.json', '2'], ['sub/b.bin', new Uint8Array([1, 2, 3])]]), ['best']);
    expect(read(dir, 'a.json')).toBe('2');
    expect(read(dir, 'best/a.json')).toBe('best 1');
    expect([...readFileSync(join(dir, 'sub/b.bin'))]).toEqual([1, 2, 3]);
    replaceDirectory(dir, new Map([['a.json', '3']]));
    expect(existsSync(join(dir, 'best'))).toBe(false); // not carried: gone
    expect(readdirSync(join(dir, '..')).sort()).toEqual(['ck']);
  });

  test('a crash in the middle of writing leaves the previous checkpoint intact', () => {
    const dir = join(tempDir(), 'ck');
    replaceDirectory(dir, new Map([['config.json', 'old config'], ['model.bin', 'old weights']]));
    const crash = (): never => {
      throw new Error('simulated crash while writing model.bin');
    };
    expect(() => replaceDirectory(dir, new Map<string, string | (() => never)>([['config.json', 'new config'], ['model.bin', crash]]))).toThrow('simulated crash');
    expect(read(dir, 'config.json')).toBe('old config');
    expect(read(dir, 'model.bin')).toBe('old weights');
    expect(existsSync(dir + TMP_SUFFIX)).toBe(false);
  });

  test('a crash between the two renames is recovered from the complete previous version', () => {
    const dir = join(tempDir(), 'ck');
    replaceDirectory(dir, new Map([['config.json', 'v1']]));
    renameSync(dir, dir + OLD_SUFFIX); // the state right after the first rename
    expect(resolveCheckpointDir(dir)).toBe(dir + OLD_SUFFIX);
    replaceDirectory(dir, new Map([['config.json', 'v2']]), ['best']);
    expect(read(dir, 'config.json')).toBe('v2');
    expect(existsSync(dir + OLD_SUFFIX)).toBe(false);
    expect(resolveCheckpointDir(join(dir, 'nope'))).toBe(null);
  });
});
