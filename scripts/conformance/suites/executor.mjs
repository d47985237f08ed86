// @x/executor's runtime contract, seen through the worker packages: what the runtime's Node compatibility
// does not enforce is refused at once, naming the runtime and the feature, and what it does is enforced.
import { RuntimeSupportError, ThreadPool, WorkerCrashedError } from '@x/to-thread';
import { equal, ok, rejects, test, throws } from '../harness.mjs';

test('executor', 'a thread memory limit is enforced, or refused at once where the runtime cannot honour it (Bun, Deno)', async () => {
  const options = { maxThreads: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } };
  const other = globalThis.Bun !== undefined ? 'Bun' : globalThis.Deno !== undefined ? 'Deno' : undefined;
  if (other !== undefined) {
    const error = throws(() => new ThreadPool(options));
    ok(error instanceof RuntimeSupportError, `not a RuntimeSupportError: ${error?.name}: ${error?.message}`);
    ok(new RegExp(`${other} \\d`).test(error.message) && /resourceLimits/.test(error.message), error.message);
    equal(error.feature, 'worker_threads resourceLimits');
    return;
  }
  const pool = new ThreadPool(options);
  try {
    const error = await rejects(
      pool.submit(() => {
        const hog = [];
        for (let i = 0; i < 400; i++) hog.push(new Array(1e6).fill(i));
        return hog.length;
      }, []),
    );
    ok(error instanceof WorkerCrashedError, `not a WorkerCrashedError: ${error?.name}: ${error?.message}`);
    equal(await pool.submit((n) => n + 1, [1]), 2);
  } finally {
    await pool.shutdown();
  }
}, { timeout: 30_000 });
