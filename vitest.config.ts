import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Browser and child-process tests start real servers; two workers match the two-core CI machine.
    maxWorkers: 2,
  },
});
