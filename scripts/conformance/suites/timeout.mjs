// @x/timeout's public behaviour, runtime-neutral (see ../harness.mjs).
import { sleep, TimeoutError, timeoutScope, withTimeout } from '@x/timeout';
import { delay, equal, ok, rejects, test, throws } from '../harness.mjs';

const pkg = 'timeout';

test(pkg, 'withTimeout resolves like the operation when it is fast', async () => {
  equal(await withTimeout(1000, () => delay(5, 'done')), 'done');
});

test(
  pkg,
  'withTimeout rejects with TimeoutError and aborts the operation signal at the deadline',
  async () => {
    let opSignal;
    const started = Date.now();
    const error = await rejects(
      withTimeout(30, (signal) => {
        opSignal = signal;
        return delay(2000);
      }),
    );
    ok(error instanceof TimeoutError, `not a TimeoutError: ${error}`);
    equal(error.code, 'ERR_X_TIMEOUT');
    ok(opSignal.aborted, 'the operation signal was not aborted');
    ok(Date.now() - started >= 29, 'fired early');
  },
);

test(pkg, 'withTimeout with a fallback resolves with it instead', async () => {
  equal(await withTimeout(10, () => delay(1000, 'late'), { fallback: 'fallback' }), 'fallback');
});

test(pkg, 'withTimeout of 0 ms expires on a later turn, not synchronously', async () => {
  let settled = false;
  const p = withTimeout(0, () => delay(100)).catch((e) => {
    settled = true;
    return e;
  });
  await Promise.resolve();
  ok(!settled, 'expired synchronously');
  ok((await p) instanceof TimeoutError, 'did not time out');
});

test(pkg, 'timeoutScope aborts its signal when it expires, and reschedule moves the deadline', async () => {
  const scope = timeoutScope(20);
  scope.reschedule(60);
  await delay(35);
  ok(!scope.signal.aborted, 'expired at the old deadline');
  await delay(60);
  ok(scope.signal.aborted && scope.expired, 'did not expire');
});

test(pkg, 'sleep waits, and stops at once when its signal aborts', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const p = rejects(sleep(5000, { signal: controller.signal }));
  setTimeout(() => controller.abort(), 10);
  await p;
  ok(Date.now() - started < 2000, 'sleep did not stop on abort');
  await sleep(5);
});

test(pkg, 'bad input throws at once, naming the argument', () => {
  const error = throws(() => withTimeout(-1, () => 1));
  ok(error instanceof RangeError, `not a RangeError: ${error}`);
  ok(/"ms"/.test(error.message), error.message);
});
