import { defineConfig } from 'vitest/config';

// Unit and integration tests. Heavy evaluation and benchmarks are separate commands
// (`npm run eval`, `npm run bench`) and never run here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
