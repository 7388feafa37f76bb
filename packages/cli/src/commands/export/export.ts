import { renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ready } from '@eddy/autograd';
import { exportOnnx } from '@eddy/models';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { writeDurable } from '../../checkpoint/atomic-dir.js';
import { CliError, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';

/** What `eddy export --json` prints. */
export interface ExportResult {
  /** The file written, as given. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  format: 'onnx';
  /** The ONNX operator set the graph uses. */
  opset: 17;
  /** The graph's inputs and outputs, by name. */
  inputs: string[];
  outputs: string[];
  cell: string;
  layers: number;
  hidden: number;
  vocab: number;
}

/** Refuses, before any work, a target that cannot or must not be written. */
function checkTarget(file: string, overwrite: boolean): void {
  const parent = dirname(resolve(file));
  const parentStat = statSync(parent, { throwIfNoEntry: false });
  if (parentStat === undefined || !parentStat.isDirectory()) {
    throw new CliError(`the folder ${dirname(file)} of --onnx ${file} does not exist; create it first or give a path in an existing folder.`);
  }
  const target = statSync(file, { throwIfNoEntry: false });
  if (target?.isDirectory()) throw new CliError(`--onnx ${file} is a folder; give a file path such as ${file.replace(/[/\\]+$/, '')}/model.onnx.`);
  if (target !== undefined && !overwrite) throw new CliError(`${file} already exists; add --overwrite to replace it, or give another --onnx path.`);
}

/** Writes `bytes` to `file` through a temporary sibling and a rename, so `file` is never half-written. */
function writeAtomically(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.eddy-tmp-${process.pid}`;
  try {
    writeDurable(tmp, bytes);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** `eddy export DIR --onnx FILE`: the checkpoint's language model as an ONNX graph. */
export async function runExport(args: ParsedArgs, io: Io): Promise<number> {
  const [dir] = args.positionals;
  const file = args.optionalString('onnx');
  if (file === undefined) throw new UsageError('eddy export needs a format and a file: add --onnx FILE (e.g. --onnx model.onnx).');
  if (file === '') throw new UsageError('--onnx needs a file path, got an empty string.');
  checkTarget(file, args.flag('overwrite'));
  await ready();
  const { model } = readCheckpoint(dir);
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(model.eval(), { docString: `Eddy ${model.options.cell.toUpperCase()} language model exported by eddy export from ${dir}` });
  } finally {
    model.dispose();
  }
  writeAtomically(file, bytes);
  const { cell, numLayers, hiddenSize, vocabSize } = model.options;
  const lstm = cell === 'lstm';
  const result: ExportResult = {
    file,
    bytes: bytes.length,
    format: 'onnx',
    opset: 17,
    inputs: lstm ? ['input_ids', 'h0', 'c0'] : ['input_ids', 'h0'],
    outputs: lstm ? ['logits', 'hn', 'cn'] : ['logits', 'hn'],
    cell,
    layers: numLayers,
    hidden: hiddenSize,
    vocab: vocabSize,
  };
  if (args.flag('json')) io.stdout.write(JSON.stringify(result) + '\n');
  else {
    io.stdout.write(
      `wrote ${file} (${bytes.length} bytes, ONNX opset 17): ${cell.toUpperCase()} language model, ${numLayers}×${hiddenSize}, vocabulary ${vocabSize}; ` +
        `inputs ${result.inputs.join(', ')}; outputs ${result.outputs.join(', ')}\n`,
    );
  }
  return 0;
}
