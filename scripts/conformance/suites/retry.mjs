// @x/retry's public behaviour, runtime-neutral (see ../harness.mjs).
import { retry, TimeoutError } from '@x/retry';
import { equal, ok, rejects, test } from '../harness.mjs';

const pkg = 'retry';

test(pkg, 'retries a failing operation and returns the first fulfilment', async () => {
  const attempts = [];
  const value = await retry(
    (_signal, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error(`fail ${attempt}`);
      return 'ok';
    },
    { retries: 3, minDelay: 1, maxDelay: 2 },
  );
  equal(value, 'ok');
  equal(attempts, [1, 2, 3], 'attempt numbers');
});

test(pkg, 'rejects with the last error once the retries are spent, the earlier ones in errors', async () => {
  const error = await rejects(
    retry(
      (_signal, attempt) => {
        throw new Error(`fail ${attempt}`);
      },
      { retries: 2, minDelay: 1, maxDelay: 1 },
    ),
  );
  equal(error.message, 'fail 3');
  equal(
    error.errors.map((e) => e.message),
    ['fail 1', 'fail 2', 'fail 3'],
    'errors',
  );
});

test(pkg, 'an aborted signal stops the wait between attempts at once', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  const started = Date.now();
  const pending = retry(
    () => {
      throw new Error('always');
    },
    { retries: 5, minDelay: 5_000, maxDelay: 5_000, jitter: false, signal: controller.signal },
  );
  setTimeout(() => controller.abort(reason), 10);
  const error = await rejects(pending);
  equal(error, reason, 'rejection reason');
  ok(Date.now() - started < 2_000, 'waited out the delay');
});

test(pkg, 'refuses a delay that would end past the deadline its signal publishes', async () => {
  const controller = new AbortController();
  Object.defineProperty(controller.signal, Symbol.for('@x/deadline'), { value: performance.now() + 50 });
  const started = Date.now();
  const error = await rejects(
    retry(
      () => {
        throw new Error('flaky');
      },
      { retries: 3, minDelay: 1_000, maxDelay: 1_000, jitter: false, signal: controller.signal },
    ),
  );
  ok(error instanceof TimeoutError, `not a TimeoutError: ${error}`);
  ok(Date.now() - started < 500, 'slept into the deadline');
});

test(pkg, 'bad options throw at once, naming the option', async () => {
  let thrown;
  try {
    retry(() => 1, { retries: -1 });
  } catch (error) {
    thrown = error;
  }
  ok(thrown instanceof RangeError || thrown instanceof TypeError, `no early error: ${thrown}`);
  ok(String(thrown.message).includes('retries'), thrown.message);
});
