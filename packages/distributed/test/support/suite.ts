/** What every test file of @x/distributed shares: the project's Redis, the fixture module, small waits. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromModule } from '@x/executor';
import { inject } from 'vitest';

/** The project's redis-server (test/redis-setup.ts), or null when this machine has none: the suites skip. */
export const redisUrl = inject('redisUrl');

/** A function of test/fixtures/work.mjs, by module reference (how tasks travel by default). */
export const work = <F extends (...args: any[]) => any>(name: string) =>
  fromModule<F>(new URL('../fixtures/work.mjs', import.meta.url), name);

/** Polls `predicate` every 20 ms until it holds; throws naming `what` after `timeout` ms. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A temp directory where fixture tasks leave `<id>.started.<pid>` / `<id>.done.<pid>` markers. */
export function markerDir() {
  const dir = mkdtempSync(join(tmpdir(), 'x-dist-markers-'));
  return {
    dir,
    /** Marker files of `id` in `state`, as the pids that wrote them. */
    pids: (id: string, state: 'started' | 'done') =>
      readdirSync(dir)
        .filter((f) => f.startsWith(`${id}.${state}.`))
        .map((f) => Number(f.split('.').pop())),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
