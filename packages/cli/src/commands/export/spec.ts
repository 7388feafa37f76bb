import { withCommonOptions, type CommandSpec } from '../../options.js';

export const EXPORT_SPEC: CommandSpec = withCommonOptions({
  name: 'export',
  short: 'Write a checkpoint\'s model as an ONNX file for other runtimes.',
  summary:
    'Write the model of a checkpoint as an ONNX file (opset 17) that onnxruntime and other ONNX runtimes run:\n' +
    'inputs input_ids (int64 [batch, sequence]), h0 (and c0 for an LSTM) [layers, batch, hidden];\n' +
    'outputs logits [batch, sequence, vocab], hn (and cn). The file is written whole or not at all.',
  positionals: [{ name: 'dir', help: 'a checkpoint directory written by eddy train', required: true }],
  options: [
    { name: 'onnx', type: 'string', valueName: 'FILE', help: 'write the model as ONNX to FILE (e.g. model.onnx); required' },
    { name: 'overwrite', type: 'flag', help: 'replace FILE when it exists (without it, eddy refuses to)' },
  ],
  examples: ['eddy export run --onnx model.onnx --json   # {"file":"model.onnx","bytes":…,"opset":17,…}'],
});
