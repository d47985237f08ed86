// @x/executor's runtime contract: errors keep their class, message and cause across the wire and one
// identity across packages; what a runtime's Node compatibility does not honour is refused at once, naming the
// runtime and the feature, and what it does honour is enforced.
import { deserializeError, WorkerCrashedError as ExecutorCrashed, serializeError } from '@x/executor';
import { RuntimeSupportError as BridgeError, SyncBridge } from '@x/sync-bridge';
import { RuntimeSupportError, ThreadPool, WorkerCrashedError } from '@x/to-thread';
import { equal, ok, rejects, test, throws } from '../harness.mjs';

const limits = { maxOldGenerationSizeMb: 32 };
const other = globalThis.Bun !== undefined ? 'Bun' : globalThis.Deno !== undefined ? 'Deno' : undefined;

function refused(error, Class) {
  ok(error instanceof Class, `not a RuntimeSupportError: ${error?.name}: ${error?.message}`);
  ok(new RegExp(`${other} \\d`).test(error.message) && /resourceLimits/.test(error.message), error.message);
  equal([error.code, error.feature], ['ERR_X_RUNTIME_UNSUPPORTED', 'worker_threads resourceLimits']);
}

test('executor', 'an error crosses the wire with its class name, message, code and cause', () => {
  const sent = Object.assign(new RangeError('too far', { cause: new Error('root') }), { code: 'E_FAR' });
  const back = deserializeError(structuredClone(serializeError(sent)));
  equal(
    [back.name, back.message, back.code, back.cause?.message],
    ['RangeError', 'too far', 'E_FAR', 'root'],
  );
  ok(back instanceof RangeError, 'not a RangeError');
});

test('executor', 'an error class has one identity across the worker packages', () => {
  ok(new ExecutorCrashed('x') instanceof WorkerCrashedError, 'executor error is not a to-thread error');
});

test(
  'to-thread',
  'a thread memory limit is enforced, or refused at once where the runtime cannot honour it (Bun, Deno)',
  async () => {
    const options = { maxThreads: 1, resourceLimits: limits };
    if (other !== undefined)
      return refused(
        throws(() => new ThreadPool(options)),
        RuntimeSupportError,
      );
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
  },
  { timeout: 30_000 },
);

test(
  'sync-bridge',
  'a bridge memory limit is accepted, or refused at once where the runtime cannot honour it (Bun, Deno)',
  () => {
    if (other !== undefined)
      return refused(
        throws(() => new SyncBridge({ resourceLimits: limits })),
        BridgeError,
      );
    const bridge = new SyncBridge({ resourceLimits: limits });
    try {
      equal(
        bridge.run(async (n) => n * 2, 21),
        42,
      );
    } finally {
      bridge.close();
    }
  },
);
