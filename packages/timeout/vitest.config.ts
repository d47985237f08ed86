import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'timeout', include: ['test/**/*.test.ts'] } });
