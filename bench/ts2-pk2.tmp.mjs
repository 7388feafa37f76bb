import * as k from '@eddy/core-wasm';
const core = k.loadCoreSync();
const A = core.arena.alloc(4*2000*750), B = core.arena.alloc(4*750*300), C = core.arena.alloc(4*2000*750);
core.arena.f32.fill(0.01);
const t = () => { const u = process.cpuUsage(); return (u.user+u.system)/1e6; };
const sizes=[495,328,232,186,147,123,110,94,78,63,54,38,29,21,15,10,7,4,3,2,1,1,1,1];
const pf = k.packB(core, { transB: true, n: 750, k: 300, b: B });
const pb = k.packB(core, { transB: false, n: 300, k: 750, b: B });
const ops = {
 'new fwd X·Wᵀ': m => k.sgemm(core, { transB: true, m, n: 750, k: 300, a: C, b: B, c: A }),
 'new dX G·W': m => k.sgemm(core, { m, n: 300, k: 750, a: A, b: B, c: C }),
 'new dW Gᵀ·X': m => k.sgemm(core, { transA: true, m: 750, n: 300, k: m, a: A, b: C, c: B }),
 'old fwd W·Xᵀ': m => k.sgemm(core, { transB: true, m: 750, n: m, k: 300, a: B, b: C, c: A }),
 'old dW G·X': m => k.sgemm(core, { m: 750, n: 300, k: m, a: A, b: C, c: B }),
 'old dX Gᵀ·W': m => k.sgemm(core, { transA: true, m, n: 300, k: 750, a: A, b: B, c: C }),
 'packed fwd X·Ŵᵀ': m => k.sgemmPacked(core, { m, n: 750, k: 300, a: C, packed: pf, c: A }),
 'packed dX G·Ŵ': m => k.sgemmPacked(core, { m, n: 300, k: 750, a: A, packed: pb, c: C }),
};
const best = {};
for (let round = 0; round < 7; round++) for (const [label, f] of Object.entries(ops)) {
  const t0 = t(); for (const m of sizes) f(m); const dt = (t() - t0) * 1000;
  best[label] = Math.min(best[label] ?? 1e9, dt);
}
for (const [l, v] of Object.entries(best)) console.log(l.padEnd(18), v.toFixed(1), 'ms/batch (min of 7)');
