/**
 * Issue 19, not part of `pnpm bench`: the floors under one-task-at-a-time latency on this machine, with no
 * library in the way. Each hand-off between two threads or processes either wakes a sleeping one (a futex or
 * an `epoll_wait` return) or is seen by one that is still running (spinning on shared memory, or turning its
 * event loop with `setImmediate`). Measured as medians / p99 of round trips, µs:
 * - `Atomics` ping-pong between two threads: both sleeping in `Atomics.wait`, or both spinning;
 * - `postMessage` echo to a worker thread: the main loop sleeping in `epoll`, or turning for up to 0.5 ms;
 * - `fork` IPC echo to a child process: the same two ways, over an `advanced` and a `json` channel.
 * Run with `node bench/issue19-floors.mjs` on a quiet machine, and under `taskset -c 0` for the mode where the
 * threads share one core. Figures in docs/latency.md.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const N = Number(process.env.N ?? 5000);
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const report = (name, xs) =>
  console.log(
    name.padEnd(34),
    'median',
    q(xs, 50).toFixed(1).padStart(6),
    'p99',
    q(xs, 99).toFixed(0).padStart(5),
    'µs',
  );

// --- Atomics ping-pong ------------------------------------------------------------------------------------
const pingPong = `
const { workerData } = require('node:worker_threads');
const { cell, spin } = workerData;
for (let i = 1; ; i++) {
  while (Atomics.load(cell, 0) !== i) {
    if (Atomics.load(cell, 0) === -1) process.exit(0);
    if (!spin) Atomics.wait(cell, 0, i - 1);
  }
  Atomics.store(cell, 1, i);
  Atomics.notify(cell, 1);
}`;
for (const spin of [false, true]) {
  const cell = new Int32Array(new SharedArrayBuffer(8));
  const w = new Worker(pingPong, { eval: true, workerData: { cell, spin } });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const xs = [];
  for (let i = 1; i <= N; i++) {
    const t = performance.now();
    Atomics.store(cell, 0, i);
    Atomics.notify(cell, 0);
    if (spin) while (Atomics.load(cell, 1) !== i);
    else while (Atomics.load(cell, 1) !== i) Atomics.wait(cell, 1, i - 1);
    xs.push((performance.now() - t) * 1000);
  }
  Atomics.store(cell, 0, -1);
  Atomics.notify(cell, 0);
  await w.terminate();
  report(`Atomics ping-pong, ${spin ? 'spinning' : 'sleeping'}`, xs.slice(500));
}

// --- postMessage and fork IPC echoes -----------------------------------------------------------------------
let answered = false;
/** Turns the loop until an answer came or `until` passed. */
function turn(until) {
  if (!answered && performance.now() < until) setImmediate(turn, until);
}
async function echo(name, target, send) {
  for (const spin of [false, true]) {
    const call = (i) =>
      new Promise((resolve) => {
        answered = false;
        target.once('message', (m) => {
          answered = true;
          resolve(m);
        });
        send(i);
        if (spin) setImmediate(turn, performance.now() + 0.5);
      });
    for (let i = 0; i < 300; i++) await call(i);
    const xs = [];
    for (let i = 0; i < N / 2; i++) {
      const t = performance.now();
      await call(i);
      xs.push((performance.now() - t) * 1000);
    }
    report(`${name}, main loop ${spin ? 'turning' : 'sleeping'}`, xs);
  }
}
const worker = new Worker(
  "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));",
  { eval: true },
);
await echo('postMessage echo (thread)', worker, (i) => worker.postMessage(i));
await worker.terminate();
const childFile = join(tmpdir(), `x-issue19-echo-${process.pid}.cjs`);
writeFileSync(childFile, "process.on('message', (m) => process.send(m));");
// Both channel encodings: `advanced` (V8 serialization, ProcessPool's default) and `json` (workerpool's).
for (const serialization of ['advanced', 'json']) {
  const child = fork(childFile, [], { serialization });
  await echo(`fork IPC echo (process, ${serialization})`, child, (i) => child.send([i]));
  child.kill();
}
