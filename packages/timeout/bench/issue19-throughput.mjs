/**
 * Issue 19 A/B check, not part of `pnpm bench`. 100,000 fast operations under a 1-hour deadline, concurrent and one at a time: the previous build, this one and p-timeout, interleaved in 7 rounds (run with --expose-gc).
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-throughput.mjs`. Figures in docs/latency.md.
 */
import { withTimeout as cur } from '@x/timeout';
import pTimeout from 'p-timeout';

const { withTimeout: base } = await import(`${process.env.BASE}/timeout/dist/index.js`);
const N = 100000,
  MS = 3_600_000;
const fast = (i) => Promise.resolve(i);
const run = {
  base: () => Promise.all(Array.from({ length: N }, (_, i) => base(MS, fast(i)))),
  cur: () => Promise.all(Array.from({ length: N }, (_, i) => cur(MS, fast(i)))),
  pt: () => Promise.all(Array.from({ length: N }, (_, i) => pTimeout(fast(i), { milliseconds: MS }))),
};
const seq = {
  base: async () => {
    for (let i = 0; i < N; i++) await base(MS, fast(i));
  },
  cur: async () => {
    for (let i = 0; i < N; i++) await cur(MS, fast(i));
  },
  pt: async () => {
    for (let i = 0; i < N; i++) await pTimeout(fast(i), { milliseconds: MS });
  },
};
for (const [label, set] of [
  ['concurrent', run],
  ['one at a time', seq],
]) {
  const t = { base: [], cur: [], pt: [] };
  for (let r = 0; r < 7; r++)
    for (const k of Object.keys(set)) {
      globalThis.gc?.();
      const t0 = performance.now();
      await set[k]();
      t[k].push(performance.now() - t0);
    }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    label,
    Object.entries(t)
      .map(([k, xs]) => `${k} ${med(xs).toFixed(0)}ms`)
      .join('  '),
    ' cur/pt time',
    (med(t.cur) / med(t.pt)).toFixed(3),
    'base/pt',
    (med(t.base) / med(t.pt)).toFixed(3),
    'cur/base',
    (med(t.cur) / med(t.base)).toFixed(3),
  );
}
process.exit(0);
