import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'sync-bridge', include: ['test/**/*.test.ts'] } });
