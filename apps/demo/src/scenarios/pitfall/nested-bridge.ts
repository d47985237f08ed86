import { runSync } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { invokeAsync, moduleUrl } from '../shared/async-functions.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'pitfall/nested-bridge',
  title: 'A bridge call inside a bridge call is a clear error, not a deadlock; from async code it just works',
  source: section(asyncioArticle, 'Pitfalls: asyncio.run() inside asyncio.run()'),
  expected:
    'asyncio.run() inside a running event loop raises RuntimeError; the fix is to await. Here: runSync inside ' +
    'a runSync function must fail at once with a clear error, and runSync called from async code on the main ' +
    'thread works (it blocks that thread, by design).',
  async run(ctx) {
    ctx.step('runSync inside a runSync function');
    let error: Error | undefined;
    const clock = stopwatch();
    try {
      runSync(async (bridgeUrl: string) => {
        const bridge = (await import(bridgeUrl)) as typeof import('@x/sync-bridge');
        return bridge.runSync(async () => 'inner result');
      }, moduleUrl('@x/sync-bridge'));
    } catch (caught) {
      error = caught as Error;
    }
    const nestedMs = clock();
    ctx.log(`nested runSync failed after ${seconds(nestedMs)}: ${error?.name}: ${error?.message}`);

    ctx.step('runSync from async code on the main thread');
    const fromAsync = await (async () => runSync(invokeAsync, 'called from async code', ctx.ms(200)))();
    ctx.log(
      `from inside an async function: "${fromAsync}" (Python's asyncio.run would raise RuntimeError here)`,
    );

    const ok = error instanceof Error && nestedMs < 5000 && fromAsync === 'processed: called from async code';
    return {
      ok,
      measured: `nested call: ${error ? `${error.name} after ${seconds(nestedMs)} ("${error.message}")` : 'no error'}; from async code: "${fromAsync}"`,
      data: { errorName: error?.name, errorMessage: error?.message, nestedMs, fromAsync },
    };
  },
});
