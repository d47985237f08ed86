import { runSync } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { invokeAsync } from '../shared/async-functions.js';
import { asyncioArticle, section } from '../shared/sources.js';

/**
 * A plain function that needs an async result. It cannot await; runSync runs the async function in a worker
 * and blocks until it settles, so neither this function nor its callers have to become async.
 */
function describeUser(userId: number, delayMs: number): string {
  return runSync(invokeAsync, `user ${userId}`, delayMs);
}

export default defineScenario({
  id: 'basics/await-outside-async',
  title: '`await` outside async is a syntax error, async spreads, and runSync is the escape hatch',
  source: section(asyncioArticle, 'The basic rules of async/await'),
  expected:
    'await inside a plain function is a SyntaxError, so callers of async code become async too ("async ' +
    'spreads through the codebase"); a sync-to-async bridge is the way out. Awaiting a non-awaitable such ' +
    'as 42 is a TypeError in Python.',
  async run(ctx) {
    let syntaxError: Error | undefined;
    try {
      // Compiled at run time so that this file itself stays valid.
      new Function('userId', 'const user = await fetchUser(userId); return user;');
    } catch (error) {
      syntaxError = error as Error;
    }
    ctx.log(
      `compiling a plain function that uses await: ${syntaxError ? `${syntaxError.name}: ${syntaxError.message}` : 'no error'}`,
    );

    const awaitedNumber: unknown = await 42;
    ctx.log(`await 42 gave ${String(awaitedNumber)}: JavaScript wraps any value in a resolved promise`);

    const fromPlainFunction = describeUser(7, ctx.ms(200));
    ctx.log(`escape hatch: the plain function describeUser(7) got "${fromPlainFunction}" through runSync`);

    const isSyntaxError = syntaxError instanceof SyntaxError;
    return {
      ok: isSyntaxError && awaitedNumber === 42 && fromPlainFunction === 'processed: user 7',
      measured:
        `plain function with await: ${isSyntaxError ? `SyntaxError ("${syntaxError?.message}")` : 'compiled (unexpected)'}; ` +
        `await 42 gave ${String(awaitedNumber)} (a JavaScript difference: no TypeError); a plain function got ` +
        `"${fromPlainFunction}" from async code through runSync`,
      data: { syntaxError: syntaxError?.name, awaitedNumber, fromPlainFunction },
    };
  },
});
