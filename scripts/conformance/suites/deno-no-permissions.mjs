// Deno with no --allow-* flag: each worker package refuses at once with an error naming the permission it
// needs (run by run.mjs only on `deno run` with no permissions; the pure packages' suites run there too).
import { RuntimeSupportError as ProcessError, ProcessPool } from '@x/process-pool';
import { RuntimeSupportError as BridgeError, runSync } from '@x/sync-bridge';
import { RuntimeSupportError, toThread } from '@x/to-thread';
import { equal, ok, test, throws } from '../harness.mjs';

function check(error, Class, flags) {
  ok(error instanceof Class, `not a RuntimeSupportError: ${error?.name}: ${error?.message}`);
  equal(error.code, 'ERR_X_RUNTIME_UNSUPPORTED');
  ok(/Deno \d/.test(error.message), `the runtime is not named: ${error.message}`);
  for (const flag of flags) ok(error.message.includes(flag), `${flag} is not named: ${error.message}`);
  equal(error.permissions, flags);
}

test('to-thread', 'without --allow-read, toThread fails at once naming --allow-read', () => {
  check(
    throws(() => toThread(() => 1)),
    RuntimeSupportError,
    ['--allow-read'],
  );
});

test(
  'process-pool',
  'without permissions, new ProcessPool fails at once naming --allow-run, --allow-env, --allow-read',
  () => {
    check(
      throws(() => new ProcessPool()),
      ProcessError,
      ['--allow-run', '--allow-env', '--allow-read'],
    );
  },
);

test('sync-bridge', 'without --allow-read, runSync fails at once naming --allow-read', () => {
  check(
    throws(() => runSync(async () => 1)),
    BridgeError,
    ['--allow-read'],
  );
});
