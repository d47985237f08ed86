import type { TestProject } from 'vitest/node';
import { findRedisServer, type RedisServer, startRedis } from './support/redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the project's redis-server, or null when this machine has none (tests skip, except on CI). */
    redisUrl: string | null;
  }
}

let server: RedisServer | undefined;

/** One redis-server for the whole project: started here, stopped by PID in teardown. */
export async function setup(project: TestProject) {
  if (findRedisServer() === undefined) {
    if (process.env.CI === 'true') {
      throw new Error(
        '@x/distributed tests need redis-server, and CI must run them: install it (apt-get install redis-server).',
      );
    }
    console.warn(
      '\n@x/distributed: redis-server is not installed, so its tests are SKIPPED (apt-get install redis-server to run them).\n',
    );
    project.provide('redisUrl', null);
    return;
  }
  server = await startRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown() {
  await server?.stop();
}
