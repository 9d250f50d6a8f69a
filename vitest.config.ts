import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration and end-to-end tests live under test/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Real OpenSSH servers and Debian roots on loopback: need root and Debian's tools.
        test: {
          name: 'system',
          include: [
            'test/ssh/**/*.test.ts',
            'test/targets/**/*.test.ts',
            'test/scan/**/*.test.ts',
            'test/sim/**/*.test.ts',
            'test/rollout/**/*.test.ts',
            'test/health/**/*.test.ts',
          ],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // Not part of `npm test`: `npm run bench:targets` measures what the test targets cost.
        test: {
          name: 'measure',
          include: ['test/targets/measure.bench-test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
