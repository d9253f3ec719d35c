import { describe, expect, it } from 'vitest';
import { MemorySchemaRegistry } from '../../adapters/schema-registry/index.ts';
import { runSchemaRegistryExample } from './orders.ts';

describe('the Schema Registry example (docs/codecs.md)', () => {
  it('prices the good orders into Protobuf and dead-letters the two bad ones with their reasons', async () => {
    const registry = new MemorySchemaRegistry();
    const summary = await runSchemaRegistryExample(registry, () => registry.subjects());
    expect(summary.priced).toEqual([
      { orderId: 'o-1', total: 19 },
      { orderId: 'o-4', total: 20 },
    ]);
    expect(summary.deadLetters.map((d) => d.category)).toEqual(['VALIDATION_ERROR', 'DESERIALIZATION_ERROR']);
    expect(summary.deadLetters[1]?.message).toContain('magic byte 123');
    expect(summary.subjects).toEqual(['orders-value', 'orders-priced-value']);
  });
});
