import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'distributed',
    include: ['test/**/*.test.ts'],
    // Starts one redis-server for the whole project and stops it by PID afterwards.
    globalSetup: ['test/redis-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
