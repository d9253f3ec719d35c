// `npm run example -- schema-registry`: the worked example of docs/codecs.md. Uses the registry at
// SCHEMA_REGISTRY_URL when set (`npm run services:up` prints it), else one in memory.
import { MemorySchemaRegistry, SchemaRegistry } from '../../adapters/schema-registry/index.ts';
import { runSchemaRegistryExample } from './orders.ts';

const url = process.env.SCHEMA_REGISTRY_URL;
const registry = url ? new SchemaRegistry({ url }) : new MemorySchemaRegistry();
const summary = await runSchemaRegistryExample(registry, () => (registry instanceof MemorySchemaRegistry ? registry.subjects() : []));
console.log(JSON.stringify({ registry: url ?? 'in memory', ...summary }, null, 2));
