import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Found by the runtime conformance run (scripts/conformance/suites/sync-bridge.mjs), on Node 20: after a call
// whose work used a timer, the bridge worker's idle wait was still scheduled when the next call arrived through
// the port's 'message' event; it then blocked and rescheduled itself while that call ran, so the worker's event
// loop never emptied and a promise that can never settle blocked its caller forever (8 runs of 15 here). Each
// run is a child process, so a hang fails the test instead of blocking the test runner itself.
const script = fileURLToPath(new URL('./fixtures/unsettled-after-timer.mjs', import.meta.url));

describe('an unsettled call right after a call that used a timer', () => {
  it('fails with UnsettledCallError at once, in every one of 12 fresh processes', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const outcome = await promisify(execFile)(process.execPath, [script], { timeout: 10_000 }).then(
        ({ stdout }) => stdout.trim(),
        (error: { killed?: boolean; message: string }) => (error.killed ? 'hung' : error.message),
      );
      outcomes.push(outcome);
    }
    expect(outcomes).toEqual(Array(12).fill('UnsettledCallError'));
  }, 150_000);
});
