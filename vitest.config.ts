import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    // One test file at a time: many tests measure real concurrency (threads beating the main thread on
    // 2 cores, event-loop delay, deadlines firing on time), which parallel files would distort.
    fileParallelism: false,
  },
});
