/**
 * Issue 19, not part of `pnpm bench`: one tiny task at a time on a ProcessPool of one child, with the kernel free
 * to place the two processes, and with them pinned to different CPUs by hand (`taskset -p`, Linux only), in
 * alternating rounds. The gap is the time the two spend sharing one CPU: a child woken by the parent's write
 * is often put on the parent's CPU, where both then get half of it until the load balancer moves one.
 * Run from this package after a build, on a quiet machine with 2+ CPUs: `node bench/issue19-apart.mjs`.
 * Figures in docs/latency.md (third round).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { ProcessPool } from '@x/process-pool';

if (availableParallelism() < 2) throw new Error('Needs 2 CPUs or more.');
const inc = (x) => x + 1;
const children = () =>
  readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/);
const all = `0-${cpus().length - 1}`;
const taskset = (cpu, pid) =>
  execFileSync('taskset', ['-apc', String(cpu), String(pid)], { stdio: 'ignore' });
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const lat = { free: [], apart: [] };
for (let r = 0; r < Number(process.env.ROUNDS ?? 6); r++)
  for (const mode of ['free', 'apart']) {
    const pool = new ProcessPool({ maxWorkers: 1, minWorkers: 1 });
    for (let j = 0; j < 3000; j++) await pool.submit(inc, [j]);
    if (mode === 'apart') {
      taskset(0, process.pid);
      taskset(1, children()[0]);
    }
    for (let j = 0; j < 1000; j++) {
      const t = performance.now();
      await pool.submit(inc, [j]);
      lat[mode].push((performance.now() - t) * 1000);
    }
    await pool.shutdown();
    if (mode === 'apart') taskset(all, process.pid);
  }
console.log(
  `one tiny task at a time, medians: placed by the kernel ${med(lat.free).toFixed(1)} µs, pinned apart ${med(lat.apart).toFixed(1)} µs`,
);
