import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'locks', include: ['test/**/*.test.ts'] } });
