import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Points the per-user module cache at a temporary folder for each test file.
    setupFiles: ['test/helpers/user-cache.ts'],
    // Generous: a test waits on real processes, browsers and sandboxes, and must not fail because the machine is busy.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser and child-process tests start real servers; two workers match the two-core CI machine.
    maxWorkers: 2,
  },
});
