import { runSync } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

interface Profile {
  id: string;
  plan: string;
  orders: number;
}

/**
 * A synchronous CLI command, like the article's example 1: it is not async and returns a plain string,
 * yet it uses an async API client through runSync. Its callers stay synchronous too.
 */
function showProfileCommand(userId: string, latencyMs: number): string {
  const profile = runSync(
    async (id: string, ms: number): Promise<Profile> => {
      // The async client: here a stand-in that answers after a network-like delay.
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { id, plan: 'team', orders: 3 };
    },
    userId,
    latencyMs,
  );
  return `user ${profile.id}: plan ${profile.plan}, ${profile.orders} orders`;
}

export default defineScenario({
  id: 'sync/cli-command',
  title: 'A synchronous CLI command that uses an async API client through runSync',
  source: section(asyncCoreArticle, 'Practical examples: example 1, an async API client in a sync CLI'),
  expected:
    'cli_command(user_id) stays a plain function: run_async(lambda: fetch_data(user_id)) blocks until the ' +
    'async client answers and returns the data, so no caller has to become async.',
  async run(ctx) {
    const latencyMs = ctx.ms(1000);
    const clock = stopwatch();
    const line = showProfileCommand('u-42', latencyMs);
    const tookMs = clock();
    ctx.log(`showProfileCommand('u-42') printed: ${line}`);
    const isString = typeof line === 'string';
    return {
      ok: isString && line === 'user u-42: plan team, 3 orders' && tookMs >= 0.9 * latencyMs,
      measured: `the sync command returned "${line}" (a ${typeof line}, not a promise) after ${seconds(tookMs)}`,
      data: { line, tookMs, latencyMs },
    };
  },
});
