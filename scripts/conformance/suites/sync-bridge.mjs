// @x/sync-bridge's public behaviour, runtime-neutral among the runtimes with Node's worker_threads and Atomics.wait.
import { fromModule, runSync, runSyncStream, SyncBridge } from '@x/sync-bridge';
import { equal, rejects, test } from '../harness.mjs';

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
