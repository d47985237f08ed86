import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'to-thread', include: ['test/**/*.test.ts'] } });
