import { defineConfig } from 'vitest/config';

const integration = ['**/*.integration.test.ts'];
const ignored = ['**/node_modules/**', '**/.cache/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, ...integration],
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
    ],
  },
});
