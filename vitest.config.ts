import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Network tests bind many loopback sockets; files in parallel would fight over 2 cores.
    fileParallelism: false,
  },
});
