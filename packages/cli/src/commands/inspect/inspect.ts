import { writeFileSync } from 'node:fs';
import { ready } from '@eddy/autograd';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { inspect, type InspectResult } from './inspection.js';
import { reportHtml } from './report.js';
import { summaryText } from './summary.js';
import { inspectText } from './text.js';

/** The gradient window when a checkpoint does not say its --seq-len. */
const DEFAULT_WINDOW = 64;

/** `eddy inspect DIR`: the diagnostics of a checkpoint over a text, as a summary, --json or an HTML --report. */
export async function runInspect(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const dir = args.positionals[0];
  const { model, tokenizer, config } = readCheckpoint(dir);
  try {
    const H = model.options.hiddenSize;
    const cell = args.optionalNumber('cell');
    if (cell !== undefined && cell >= H) throw new UsageError(`--cell ${cell} is not a cell of ${dir}: its layers have ${H} cells, 0 … ${H - 1}.`);
    const text = inspectText(io, dir, config, tokenizer, args.optionalString('text'), args.number('length'));
    const window = args.optionalNumber('window') ?? config.training.seqLen ?? DEFAULT_WINDOW;
    const { result, traces, panels } = inspect(model, text.ids, { window, top: args.number('top'), step: config.progress.step, cell });
    const report = args.optionalString('report') ?? null;
    const full: InspectResult = {
      checkpoint: dir,
      model: result.model,
      text: { source: text.source, label: text.label, tokens: text.ids.length, unknownTokens: text.unknownTokens },
      cells: result.cells,
      gradientThroughTime: result.gradientThroughTime,
      spectra: result.spectra,
      gates: result.gates,
      report,
    };
    if (report !== null) {
      const last = traces.length - 1;
      writeFileSync(report, reportHtml(full, { traces, pieces: text.pieces, first: [last, cell === undefined ? 0 : traces[last].cells.indexOf(cell)], panels }));
    }
    io.stdout.write(args.flag('json') ? JSON.stringify(full) + '\n' : summaryText(full, traces, text.pieces));
    return 0;
  } finally {
    model.dispose();
  }
}
