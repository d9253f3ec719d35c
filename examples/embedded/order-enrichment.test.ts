import { describe, expect, it } from 'vitest';
import { runOrderEnrichment } from './order-enrichment.ts';

describe('embedded order-enrichment demo', () => {
  for (const failureMode of ['atomic', 'skip-and-log'] as const) {
    it(`accounts for every generated order (${failureMode})`, async () => {
      const summary = await runOrderEnrichment({ orders: 3_000, failureMode, trackerStrategy: 'OUTBOX' });
      const deadLettered = Object.values(summary.deadLettered).reduce((a, b) => a + b, 0);
      expect(summary.enriched + summary.deduplicated + deadLettered).toBe(3_000);
      expect(Object.keys(summary.deadLettered).sort()).toEqual(['DESERIALIZATION_ERROR', 'VALIDATION_ERROR']);
      expect(summary.deduplicated).toBeGreaterThan(0);
      expect(summary.transformRetries).toBeGreaterThan(0);
      expect(summary.tracker.FAILED).toBe(deadLettered);
      expect(summary.tracker.RECEIVED).toBe(0);
      expect(summary.sample?.total).toBeGreaterThan(0);
    });
  }
});
