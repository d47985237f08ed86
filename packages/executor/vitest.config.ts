import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'executor', include: ['test/**/*.test.ts'] } });
