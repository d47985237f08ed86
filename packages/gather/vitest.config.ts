import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'gather', include: ['test/**/*.test.ts'] } });
