/**
 * Issue 19 A/B check, not part of `pnpm bench`. createTask + await against a raw promise, in a batch of 2,000 and one at a time: the previous build and this one, interleaved in 31 rounds.
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-ab.mjs`. Figures in docs/latency.md.
 */
import { createTask } from '@x/task';

const { createTask: baseCreate } = await import(`${process.env.BASE}/task/dist/index.js`);
const value = async () => 1;
const N = 2000;
async function raw() {
  const ps = new Array(N);
  for (let i = 0; i < N; i++) ps[i] = value();
  for (let i = 0; i < N; i++) await ps[i];
}
const tasks = (ct) => async () => {
  const ps = new Array(N);
  for (let i = 0; i < N; i++) ps[i] = ct(value);
  for (let i = 0; i < N; i++) await ps[i];
};
const one = (ct) => async () => {
  for (let i = 0; i < N; i++) await ct(value);
};
async function rawOne() {
  for (let i = 0; i < N; i++) await value();
}
const sets = {
  batch: { raw, base: tasks(baseCreate), cur: tasks(createTask) },
  one: { raw: rawOne, base: one(baseCreate), cur: one(createTask) },
};
const only = process.argv[2];
for (const [label, set] of Object.entries(sets)) {
  const t = Object.fromEntries(Object.keys(set).map((k) => [k, []]));
  for (let r = 0; r < 31; r++)
    for (const [k, f] of Object.entries(set)) {
      if (only && k !== only) continue;
      const t0 = performance.now();
      for (let j = 0; j < 10; j++) await f();
      t[k].push(((performance.now() - t0) * 1000) / (10 * N));
    }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  if (!only)
    console.log(
      label,
      Object.entries(t)
        .map(([k, xs]) => `${k} ${(med(xs) * 1000).toFixed(0)}ns`)
        .join('  '),
      ' raw/cur',
      (med(t.raw) / med(t.cur)).toFixed(3),
      ' raw/base',
      (med(t.raw) / med(t.base)).toFixed(3),
    );
}
