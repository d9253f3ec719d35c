import { defineConfig } from 'vitest/config';

const integration = ['**/*.integration.test.ts'];
/** The reliability suite (docs/reliability.md): heavy, one file at a time; CHAOS_PROFILE=short|full scales it. */
const chaos = ['chaos/**/*.chaos.test.ts'];
const ignored = ['**/node_modules/**', '**/.cache/**', 'dist/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, ...integration, ...chaos],
        },
      },
      {
        test: {
          name: 'integration',
          include: integration,
          exclude: ignored,
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'chaos',
          include: chaos,
          exclude: ignored,
          globalSetup: ['chaos/setup.ts'],
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
