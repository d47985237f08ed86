// @x/to-thread's public behaviour, runtime-neutral among the runtimes with Node's worker_threads.
import {
  CapturedVariableError,
  fromModule,
  ThreadPool,
  TimeoutError,
  toThread,
  WorkerCrashedError,
} from '@x/to-thread';
import { equal, ok, rejects, test } from '../harness.mjs';

const pkg = 'to-thread';
const work = new URL('../fixtures/work.mjs', import.meta.url);

test(pkg, 'toThread runs a self-contained function in a thread and returns its value', async () => {
  equal(await toThread((a, b) => a * b, 6, 7), 42);
});

test(pkg, 'a module function runs in a thread with its arguments', async () => {
  const pool = new ThreadPool({ maxThreads: 1 });
  try {
    equal(await pool.submit(fromModule(work, 'slowDouble'), [21]), 42);
  } finally {
    await pool.shutdown();
  }
});

test(pkg, 'a remote error arrives with its class name, message and cause', async () => {
  const error = await rejects(
    toThread(() => {
      throw new RangeError('too far', { cause: new Error('root') });
    }),
  );
  equal([error.name, error.message, error.cause?.message], ['RangeError', 'too far', 'root']);
});

test(pkg, 'a captured variable is explained by name, whatever the engine words it', async () => {
  // An object, not a number: Bun's transpiler inlines a constant number, which makes the function self-contained.
  const secret = { n: 3 };
  const error = await rejects(toThread(() => secret.n * 2));
  ok(
    error instanceof CapturedVariableError,
    `not a CapturedVariableError: ${error?.name}: ${error?.message}`,
  );
  equal(error.identifier, 'secret');
});

test(pkg, 'a timed-out task that runs sync code is stopped, and the pool keeps serving', async () => {
  const pool = new ThreadPool({ maxThreads: 1 });
  try {
    const error = await rejects(
      pool.submit(
        () => {
          for (;;);
        },
        [],
        { timeout: 100 },
      ),
    );
    ok(error instanceof TimeoutError, `not a TimeoutError: ${error?.name}: ${error?.message}`);
    equal(await pool.submit((n) => n + 1, [1]), 2);
  } finally {
    await pool.shutdown();
  }
});

test(
  pkg,
  'aborting the signal of a running task stops its thread at once, with the signal reason',
  async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const controller = new AbortController();
    try {
      const running = rejects(
        pool.submit(
          () => {
            for (;;);
          },
          [],
          { signal: controller.signal },
        ),
      );
      setTimeout(() => controller.abort(new Error('stop')), 100);
      equal((await running).message, 'stop');
      equal(await pool.submit(() => 'alive', []), 'alive');
    } finally {
      await pool.shutdown();
    }
  },
);

test(pkg, 'a thread that exits fails its task with WorkerCrashedError naming the exit code', async () => {
  const error = await rejects(toThread(() => process.exit(3)));
  ok(error instanceof WorkerCrashedError, `not a WorkerCrashedError: ${error?.name}: ${error?.message}`);
  equal(error.exitCode, 3);
});
