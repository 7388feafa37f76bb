import { ready, randn, noGrad, linear, matmul, transpose, scope } from '@eddy/autograd';
await ready();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const Ms = [495, 328, 232, 186, 147, 123, 110, 94, 78, 63, 54, 38, 29, 21, 15, 10, 7, 4, 3, 2, 1, 1, 1, 1];
const tot = Ms.reduce((a, b) => a + b);
const w = randn([750, 300]);
const xs = Ms.map((m) => randn([m, 300])), gs = Ms.map((m) => randn([m, 750]));
const X = randn([tot, 300]), G = randn([tot, 750]);
function run(name, f, flops) {
  for (let i = 0; i < 2; i++) scope(f);
  const t0 = cpu(); let reps = 0;
  while (cpu() - t0 < 1.5) { scope(f); reps++; }
  const s = (cpu() - t0) / reps;
  console.log(name, (s * 1000).toFixed(2), 'ms', (flops / s / 1e9).toFixed(1), 'GF/s');
}
const F = 2 * tot * 750 * 300;
noGrad(() => {
  run('levels fwd', () => xs.forEach((x) => linear(x, w)), F);
  run('one    fwd', () => linear(X, w), F);
  run('levels dX ', () => gs.forEach((g) => matmul(g, w)), F);
  run('one    dX ', () => matmul(G, w), F);
  run('levels dW ', () => gs.forEach((g, i) => matmul(transpose(g, 0, 1), xs[i])), F);
  run('one    dW ', () => matmul(transpose(G, 0, 1), X), F);
});
