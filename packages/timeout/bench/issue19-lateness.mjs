/**
 * Issue 19 A/B check, not part of `pnpm bench`. Deadline lateness (2,000 deadlines of 20-80 ms per round, all firing; then
 * one deadline of 2-12 ms at a time, 100 per round): the previous build, this one, setTimeout and p-timeout, interleaved in rounds,
 * beside two floors for a deadline that is never early: setTimeout re-armed until the due time (the timer floor), and a
 * loop that never sleeps and reads the clock (the spinning floor; on a busy machine the kernel deschedules it longest).
 * BASE is a folder holding the previous build's packages (e.g. a `git worktree` of the commit before, built with
 * `pnpm build`, then BASE=<worktree>/packages; its node_modules/@x links must resolve). Run from this package:
 * `BASE=... node bench/issue19-lateness.mjs`. Figures in docs/latency.md.
 */
import { withTimeout as cur } from '@x/timeout';
import pTimeout from 'p-timeout';

const { withTimeout: base } = await import(`${process.env.BASE}/timeout/dist/index.js`);
const never = () => new Promise(() => {});
async function lateness(start, n = 2000) {
  const late = [];
  await new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      const ms = 20 + ((i * 7919) % 61);
      const t0 = performance.now();
      start(ms, () => {
        late.push(performance.now() - t0 - ms);
        if (late.length === n) resolve();
      });
    }
  });
  return late;
}
const c = {
  base: (ms, f) => void base(ms, never()).catch(f),
  cur: (ms, f) => void cur(ms, never()).catch(f),
  setTimeout: (ms, f) => void setTimeout(f, ms),
  'p-timeout': (ms, f) => void pTimeout(never(), { milliseconds: ms }).catch(f),
  'floor: setTimeout, never early': (ms, f) => {
    const at = performance.now() + ms;
    const check = () => {
      const left = at - performance.now();
      if (left > 0) setTimeout(check, Math.max(1, Math.floor(left)));
      else f();
    };
    setTimeout(check, Math.floor(ms));
  },
  'floor: spinning': (ms, f) => {
    spinning.push([performance.now() + ms, f]);
    // All of a round's deadlines are started in one synchronous loop: spin once the last one is in.
    if (spinning.length === 2000 || oneAtATime) spin();
  },
};
let spinning = [];
let oneAtATime = false;
function spin() {
  const due = spinning.sort((a, b) => a[0] - b[0]);
  spinning = [];
  for (const [at, f] of due) {
    while (performance.now() < at);
    f();
  }
}
const all = Object.fromEntries(Object.keys(c).map((k) => [k, []]));
for (let r = 0; r < Number(process.env.ROUNDS ?? 5); r++)
  for (const [k, s] of Object.entries(c)) {
    const c0 = process.cpuUsage();
    const xs = await lateness(s);
    const u = process.cpuUsage(c0);
    all[k].push(...xs);
    all[k].cpu = (all[k].cpu ?? 0) + (u.user + u.system) / 1000;
  }
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
for (const k of Object.keys(all))
  console.log(
    k.padEnd(10),
    'median',
    q(all[k], 50).toFixed(3),
    'p99',
    q(all[k], 99).toFixed(3),
    'min',
    Math.min(...all[k]).toFixed(3),
    'early',
    all[k].filter((x) => x < 0).length,
    'cpu ms',
    all[k].cpu.toFixed(0),
  );

// One deadline at a time (a request handler's timeout that fires): no other deadline shares its bucket.
oneAtATime = true;
const one = Object.fromEntries(Object.keys(c).map((k) => [k, []]));
for (let r = 0; r < Number(process.env.ROUNDS ?? 5); r++)
  for (const [k, s] of Object.entries(c)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 100; i++) {
      const ms = 2 + ((i * 7919) % 1000) / 100;
      const t0 = performance.now();
      await new Promise((resolve) => s(ms, () => resolve(one[k].push(performance.now() - t0 - ms))));
    }
    const u = process.cpuUsage(c0);
    one[k].cpu = (one[k].cpu ?? 0) + (u.user + u.system) / 1000;
  }
console.log('one at a time:');
for (const k of Object.keys(one))
  console.log(
    k.padEnd(10),
    'median',
    q(one[k], 50).toFixed(3),
    'p99',
    q(one[k], 99).toFixed(3),
    'min',
    Math.min(...one[k]).toFixed(3),
    'early',
    one[k].filter((x) => x < 0).length,
    'cpu ms',
    one[k].cpu.toFixed(0),
  );
