import { SyncBridge } from '@x/sync-bridge';
const b = new SyncBridge();
b.run(async (x) => x, 1);
const f = async (x) => x;
for (let k = 0; k < 3; k++) {
  const xs = [];
  for (let i = 0; i < 2000; i++) { const t = performance.now(); await b.run(f, i); xs.push(performance.now() - t); }
  xs.sort((a, b) => a - b);
  console.log('median µs', (xs[1000] * 1000).toFixed(1), 'p10', (xs[200] * 1000).toFixed(1));
}
b.close();
