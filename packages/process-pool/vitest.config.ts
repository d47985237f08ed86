import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'process-pool', include: ['test/**/*.test.ts'] } });
