import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from '@x/queue';
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
  it('100,000 getters on one signal aborted at once: all reject, no listener left, a later item is kept', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const getters = Array.from({ length: 100_000 }, () => q.get({ signal: controller.signal }));
    expect(abortListenerCount(controller.signal)).toBe(1);
    controller.abort();
    const settled = await Promise.allSettled(getters);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(abortListenerCount(controller.signal)).toBe(0);
    q.putNowait(1);
    expect(q.size).toBe(1);
  }, 60_000);

  it('a producer/consumer script with unfired timeouts exits at once, and so does one with abandoned waiters', async () => {
    const r = await runChild(`
      import { Queue } from '${esm}';
      const q = new Queue({ maxsize: 4 });
      const signal = new AbortController().signal;
      const consumer = (async () => { let sum = 0; for await (const x of q) { sum += x; q.taskDone(); } return sum; })();
      for (let i = 1; i <= 100; i++) await q.put(i, { signal, timeout: 60_000 });
      await q.join({ timeout: 60_000, signal });
      q.shutdown();
      console.log(await consumer);
      const abandoned = new Queue({ maxsize: 1 });
      abandoned.get().catch(() => {});
      abandoned.putNowait(1);
      abandoned.put(2).catch(() => {});
      new Queue().join();
    `);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('5050');
    expect(r.ms).toBeLessThan(20_000);
  }, 40_000);
});
