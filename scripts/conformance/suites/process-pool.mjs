// @x/process-pool's public behaviour, runtime-neutral among the runtimes with Node's child_process.
import { fromModule, ProcessPool, TimeoutError, WorkerCrashedError } from '@x/process-pool';
import { equal, ok, rejects, test } from '../harness.mjs';

const pkg = 'process-pool';
const work = new URL('../fixtures/work.mjs', import.meta.url);

test(
  pkg,
  'submit runs a function in a child process and returns its value',
  async () => {
    const pool = new ProcessPool({ maxWorkers: 1 });
    try {
      equal(await pool.submit((a, b) => a + b, [2, 3]), 5);
      equal(await pool.submit(fromModule(work, 'add'), [20, 22]), 42);
    } finally {
      await pool.shutdown();
    }
  },
  { timeout: 20_000 },
);

test(
  pkg,
  'a child that dies fails only its own task with WorkerCrashedError, and is replaced',
  async () => {
    const pool = new ProcessPool({ maxWorkers: 1 });
    try {
      const error = await rejects(pool.submit(() => process.exit(3), []));
      ok(error instanceof WorkerCrashedError, `not a WorkerCrashedError: ${error?.name}: ${error?.message}`);
      equal(await pool.submit(() => 'alive', []), 'alive');
    } finally {
      await pool.shutdown();
    }
  },
  { timeout: 20_000 },
);

test(
  pkg,
  'map returns results in input order',
  async () => {
    const pool = new ProcessPool({ maxWorkers: 2 });
    try {
      const results = [];
      for await (const r of pool.map((n) => n * n, [1, 2, 3, 4])) results.push(r);
      equal(results, [1, 4, 9, 16]);
    } finally {
      await pool.shutdown();
    }
  },
  { timeout: 20_000 },
);

test(
  pkg,
  'a task past its timeout is stopped with its child, and the pool keeps serving',
  async () => {
    const pool = new ProcessPool({ maxWorkers: 1 });
    try {
      const error = await rejects(
        pool.submit(
          () => {
            for (;;);
          },
          [],
          { timeout: 200 },
        ),
      );
      ok(error instanceof TimeoutError, `not a TimeoutError: ${error?.name}: ${error?.message}`);
      equal(await pool.submit(() => 'alive', []), 'alive');
    } finally {
      await pool.shutdown();
    }
  },
  { timeout: 20_000 },
);
