import { defineConfig } from 'vitest/config';

const integration = ['**/*.integration.test.ts'];
/** The reliability suite (docs/reliability.md): heavy, one file at a time; CHAOS_PROFILE=short|full scales it. */
const chaos = ['chaos/**/*.chaos.test.ts'];
const ignored = ['**/node_modules/**', '**/.cache/**', 'dist/**'];
/** Deletes each file's fresh Kafka topics after it. */
const setupFiles = ['scripts/drop-fresh-topics.setup.ts'];

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
          setupFiles,
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
          setupFiles,
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
