// Only where timers cannot be unref'd (a browser page, a Web Worker, an edge worker): once its work is done,
// @x/timeout leaves no timer pending. The host installs ../timers-probe.mjs before anything else loads.
import { sleep, timeoutScope, withTimeout } from '@x/timeout';
import { delay, equal, ok, test } from '../harness.mjs';

test('timeout', 'leaves no timer pending once its deadlines are done (no unref here)', async () => {
  const probe = globalThis.__timerProbe;
  ok(probe !== undefined, 'the timer probe is not installed');
  const before = new Set(probe.pending);
  equal(await withTimeout(10_000, () => delay(1, 'fast')), 'fast');
  const scope = timeoutScope(5000);
  scope.close();
  const controller = new AbortController();
  const slept = sleep(60_000, { signal: controller.signal }).catch(() => 'aborted');
  controller.abort();
  equal(await slept, 'aborted');
  await delay(20);
  await delay(20);
  const leaked = [...probe.pending].filter((id) => !before.has(id));
  equal(leaked.length, 0, 'timers left pending by @x/timeout');
});
