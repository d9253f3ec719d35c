// `npm run docs:config`: regenerates docs/configuration.md and docs/config.schema.json from the schema.
import { writeFile } from 'node:fs/promises';
import { configJsonSchema, configReference } from './reference.ts';

const docs = new URL('../../docs/', import.meta.url);
await writeFile(new URL('configuration.md', docs), configReference());
await writeFile(new URL('config.schema.json', docs), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
