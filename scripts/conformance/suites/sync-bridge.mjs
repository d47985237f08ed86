// @x/sync-bridge's public behaviour, runtime-neutral among the runtimes with Node's worker_threads and Atomics.wait.
import {
  fromModule,
  runSync,
  runSyncStream,
  SyncBridge,
  TimeoutError,
  UnsettledCallError,
  WorkerCrashedError,
} from '@x/sync-bridge';
import { equal, ok, rejects, test, throws } from '../harness.mjs';

const pkg = 'sync-bridge';
const work = new URL('../fixtures/work.mjs', import.meta.url);

test(pkg, 'runSync blocks until an async function settles and returns its value', () => {
  equal(
    runSync(async (n) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return n + 1;
    }, 41),
    42,
  );
});

test(pkg, 'runSync throws the remote error', async () => {
  const error = await rejects(
    (async () =>
      runSync(async () => {
        throw new TypeError('remote');
      }))(),
  );
  equal([error.name, error.message], ['TypeError', 'remote']);
});

test(pkg, 'runSyncStream yields each chunk of a module async generator', () => {
  const bridge = new SyncBridge();
  try {
    equal([...bridge.stream(fromModule(work, 'count'), 4)], [0, 1, 2, 3]);
  } finally {
    bridge.close();
  }
  equal(
    [
      ...runSyncStream(async function* () {
        yield 'a';
        yield 'b';
      }),
    ],
    ['a', 'b'],
  );
});

test(pkg, 'a promise that can never settle fails at once instead of blocking forever', () => {
  const started = Date.now();
  const error = throws(() => runSync(() => new Promise(() => {})));
  ok(Date.now() - started < 5000, 'took too long');
  if (globalThis.Deno !== undefined) {
    // Deno's workers never emit beforeExit, which is how the bridge tells "nothing left to run": the worker
    // ends with exit code 0 and the call fails with that instead.
    ok(error instanceof WorkerCrashedError, `not a WorkerCrashedError: ${error?.name}: ${error?.message}`);
    equal(error.exitCode, 0);
  } else {
    ok(error instanceof UnsettledCallError, `not an UnsettledCallError: ${error?.name}: ${error?.message}`);
  }
});

test(pkg, 'timeout bounds a call, and the next call gets a fresh worker', () => {
  const bridge = new SyncBridge({ timeout: 200 });
  try {
    const error = throws(() => bridge.run(() => new Promise((resolve) => setTimeout(resolve, 10_000))));
    ok(error instanceof TimeoutError, `not a TimeoutError: ${error?.name}: ${error?.message}`);
    equal(
      bridge.run(async () => 'fresh'),
      'fresh',
    );
  } finally {
    bridge.close();
  }
});
