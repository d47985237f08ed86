import { SyncBridge } from '@x/sync-bridge';
const b = new SyncBridge();
b.run(async (x) => x, 1);
const f = async (x) => x;
const out = [];
for (let k = 0; k < 4; k++) {
  const xs = [];
  for (let i = 0; i < 2000; i++) { const t = performance.now(); b.run(f, i); xs.push(performance.now() - t); }
  xs.sort((a, b) => a - b);
  out.push((xs[1000] * 1000).toFixed(1));
}
console.log(process.env.SB_SPIN_C, process.env.SB_SPIN_W, 'medians µs', out.join(' '));
b.close();
