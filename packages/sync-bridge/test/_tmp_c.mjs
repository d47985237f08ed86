import { createSyncFn } from 'synckit';

let t0 = performance.now();
const echo = createSyncFn(new URL('../bench/fixtures/synckit-worker.mjs', import.meta.url).pathname);
echo(1);
console.log('synckit first', (performance.now() - t0).toFixed(1));
const big = 'x'.repeat(65536);
for (const arg of [1, big, 1, big]) {
  const xs = [];
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    echo(arg);
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(typeof arg, 'median µs', (xs[1500] * 1000).toFixed(1));
}
const { runSync } = await import('@x/sync-bridge');
t0 = performance.now();
runSync(async (x) => x, 1);
console.log('ours first', (performance.now() - t0).toFixed(1));
const f = async (x) => x;
for (const arg of [1, big, 1, big]) {
  const xs = [];
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    runSync(f, arg);
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(typeof arg, 'median µs', (xs[1500] * 1000).toFixed(1));
}
