/**
 * Issue 19 A/B check, not part of `pnpm bench`: 10,000 tiny tasks in flight on 2 children, the previous build
 * against this one, 8 rounds alternating which goes first; prints every round. BASE as in issue19-ab.mjs:
 * `BASE=... node bench/issue19-throughput.mjs`. Figures in docs/latency.md.
 */
import { ProcessPool as Cur } from '@x/process-pool';

const { ProcessPool: Base } = await import(`${process.env.BASE}/process-pool/dist/index.js`);
const inc = (x) => x + 1;
const T = 10000;
const res = { base: [], cur: [] };
for (let r = 0; r < 8; r++)
  for (const k of r % 2 ? ['base', 'cur'] : ['cur', 'base']) {
    const p =
      k === 'base' ? new Base({ maxWorkers: 2, minWorkers: 2 }) : new Cur({ maxWorkers: 2, minWorkers: 2 });
    await Promise.all(Array.from({ length: 2000 }, (_, i) => p.submit(inc, [i])));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: T }, (_, i) => p.submit(inc, [i])));
    res[k].push(Math.round(T / ((performance.now() - t0) / 1000)));
    await p.shutdown();
  }
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify(res), 'median cur/base', (med(res.cur) / med(res.base)).toFixed(2));
process.exit(0);
