import { machine } from './machine.js';
import { Report } from './report.js';
import { autograd } from './suites/autograd.js';
import { CLASSIFY_VALUE_FLAGS, classify } from './suites/classify.js';
import { fuzz } from './suites/fuzz.js';
import { kernels } from './suites/kernels.js';
import { LM_VALUE_FLAGS, lm } from './suites/language-models.js';
import { SEQ2SEQ_VALUE_FLAGS, seq2seq } from './suites/seq2seq.js';
import { soak } from './suites/soak.js';
import { TREE_VALUE_FLAGS, tree } from './suites/tree.js';
import { workloads } from './suites/workloads.js';

// npm run bench -w bench -- <suite> [--json] [--quick] [--only=W1,W4] [--peers=eddy,tfjs-wasm] [--rounds=N]
// (the lm suite's own options: see bench/README.md)
const SUITES = { kernels, autograd, soak, workloads, lm, fuzz, classify, tree, seq2seq } as const;

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const list = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1).split(',');
const only = list('--only');
const peers = list('--peers');
const roundsArg = list('--rounds')?.[0];
const rounds = roundsArg === undefined ? undefined : Number(roundsArg);
if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) {
  console.error(`bench: --rounds must be an integer in [1, 20], got ${roundsArg}`);
  process.exit(2);
}
const threadsArg = list('--threads')?.[0];
const threads = threadsArg === undefined ? undefined : Number(threadsArg);
const torchThreads = list('--torch-threads')?.map(Number);
for (const n of [...(threads === undefined ? [] : [threads]), ...(torchThreads ?? [])]) {
  if (!(Number.isInteger(n) && n >= 1 && n <= 64)) {
    console.error(`bench: --threads and --torch-threads take integers in [1, 64], got ${threadsArg ?? ''}${torchThreads ? ` / ${torchThreads.join(',')}` : ''}`);
    process.exit(2);
  }
}
// Suite names are the bare words that are not the value of an option (`--steps 300`).
const names = args.filter((a, i) => !a.startsWith('--') && !LM_VALUE_FLAGS.includes(args[i - 1]) && !CLASSIFY_VALUE_FLAGS.includes(args[i - 1]) && !TREE_VALUE_FLAGS.includes(args[i - 1]) && !SEQ2SEQ_VALUE_FLAGS.includes(args[i - 1]));
const unknown = names.filter((n) => !(n in SUITES));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

const report = new Report(json);
report.header(machine());
// Without names: the quick-to-medium suites; soak, lm, fuzz, classify, tree and seq2seq take minutes and run when named.
const DEFAULT_SUITES = ['kernels', 'autograd', 'workloads'];
for (const name of names.length ? names : DEFAULT_SUITES) {
  await SUITES[name as keyof typeof SUITES](report, { quick, only, peers, rounds, threads, torchThreads });
}
