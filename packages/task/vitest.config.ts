import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'task', include: ['test/**/*.test.ts'] } });
