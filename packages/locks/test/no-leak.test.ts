import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Barrier, Event, Lock, limit, Semaphore } from '@x/locks';
import { describe, expect, it } from 'vitest';
import { abortListenerCount, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esm = pathToFileURL(path.join(root, 'dist', 'index.js')).href;

function runChild(code: string) {
  return new Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      timeout: 35_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (exitCode) => resolve({ code: exitCode, ms: performance.now() - t0, stdout, stderr }));
  });
}

describe('no leaks', () => {
  it('100,000 waiters on one signal aborted at once: all reject, the queue is empty, no listener is left', async () => {
    const sem = new Semaphore(0);
    const controller = new AbortController();
    const waiters = Array.from({ length: 100_000 }, () => sem.acquire({ signal: controller.signal }));
    expect(sem.waiting).toBe(100_000);
    expect(abortListenerCount(controller.signal)).toBe(1); // one shared subscription, not 100,000
    controller.abort(new Error('all at once'));
    expect(sem.waiting).toBe(0);
    const settled = await Promise.allSettled(waiters);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(abortListenerCount(controller.signal)).toBe(0);
    sem.release();
    expect(sem.value).toBe(1); // nobody consumed it
  }, 60_000);

  it('100,000 waiters with a signal that are served instead remove their listeners too', async () => {
    const lim = limit(1);
    const controller = new AbortController();
    const calls = Array.from({ length: 100_000 }, (_, i) => lim(() => i, { signal: controller.signal }));
    await Promise.all(calls);
    expect(abortListenerCount(controller.signal)).toBe(0);
  }, 60_000);

  it('a script using every primitive, with timeouts and signals still unfired, exits at once', async () => {
    const r = await runChild(`
      import { Semaphore, Lock, Event, Barrier, Condition, limit } from '${esm}';
      const signal = new AbortController().signal;
      const sem = new Semaphore(1);
      await sem.run(async () => 1, { signal, timeout: 60_000 });
      const lock = new Lock();
      (await lock.acquire({ timeout: 60_000, signal })).release();
      const event = new Event();
      setTimeout(() => event.set(), 5);
      await event.wait({ timeout: 60_000, signal });
      const cond = new Condition();
      await cond.run(async () => { setTimeout(() => cond.run(() => cond.notify()), 5); await cond.wait({ timeout: 60_000 }); });
      const barrier = new Barrier(2);
      await Promise.all([barrier.wait({ timeout: 60_000 }), barrier.wait({ timeout: 60_000, signal })]);
      const lim = limit(2, { rate: { limit: 2, interval: 50 } });
      const results = await Promise.all([1, 2, 3, 4].map((i) => lim(async () => i, { signal, timeout: 60_000 })));
      console.log(results.join(','));
    `);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('1,2,3,4');
    // It must not wait for any 60 s timeout; child start-up on a loaded machine can take seconds.
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);

  it('abandoned waiters (never served) do not keep the process alive', async () => {
    const r = await runChild(`
      import { Semaphore, Event, Barrier, limit } from '${esm}';
      const sem = new Semaphore(0);
      sem.acquire().catch(() => {});
      new Event().wait().catch(() => {});
      new Barrier(3).wait().catch(() => {});
      const lim = limit(1);
      lim(() => new Promise(() => {}));
      lim(() => 1).catch(() => {});
      console.log('done');
    `);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('done');
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);

  it('Lock and Event waiters with signals leave no listener after being served', async () => {
    const lock = new Lock();
    const event = new Event();
    const controller = new AbortController();
    const held = await lock.acquire();
    const next = lock.acquire({ signal: controller.signal });
    const waiting = event.wait({ signal: controller.signal });
    const meeting = new Barrier(2);
    const both = Promise.all([
      meeting.wait({ signal: controller.signal }),
      meeting.wait({ signal: controller.signal }),
    ]);
    held.release();
    event.set();
    (await next).release();
    await waiting;
    await both;
    expect(abortListenerCount(controller.signal)).toBe(0);
  });
});
