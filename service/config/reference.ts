import { toJsonSchema } from '@valibot/to-json-schema';
import { EnvOverrides } from './env.ts';
import { ConfigSchema } from './schema.ts';

interface JsonSchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The config's JSON Schema (for editors and other tools), derived from the valibot schema. */
export const configJsonSchema = (): JsonSchema => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Orchestron configuration',
  ...toJsonSchema(ConfigSchema, { errorMode: 'ignore' }),
}) as JsonSchema;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'value'}[]`;
  if (schema.type === 'integer') {
    const range = [schema.minimum !== undefined ? `≥ ${schema.minimum}` : '', schema.maximum !== undefined ? `≤ ${schema.maximum}` : ''].filter(Boolean);
    return `integer${range.length ? ` (${range.join(', ')})` : ''}`;
  }
  if (schema.type === 'object' && !schema.properties) return 'object';
  return schema.type ?? 'value';
}

function rows(schema: JsonSchema, prefix: string, required: readonly string[]): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${key}`;
    const isSection = child.type === 'object' && child.properties && !child.anyOf;
    const fallback = child.default === undefined || isSection ? (required.includes(key) ? '**required**' : '') : `\`${JSON.stringify(child.default)}\``;
    out.push(`| \`${path}\` | ${isSection ? 'section' : cell(typeOf(child))} | ${fallback} | ${cell(child.description ?? '')} |`);
    if (isSection) out.push(...rows(child, `${path}.`, child.required ?? []));
  }
  return out;
}

/** docs/configuration.md, generated from the schema; a test fails when the committed page differs. */
export function configReference(): string {
  const schema = configJsonSchema();
  return `<!-- Generated from service/config/schema.ts by \`npm run docs:config\`; do not edit by hand. -->
# Configuration reference

\`orchestron run|check|replay|migrate --config FILE\` reads a YAML or JSON file (JSON Schema: [config.schema.json](config.schema.json)).
Keys are camelCase after the seeds' \`orchestrator.*\` properties. The file is validated once at start: an unknown key or a
wrong value stops the process with an error naming the field and, for a choice, every allowed value:

\`\`\`
orchestron check: failureMode: must be one of atomic, skip-and-log; got "sometimes"
\`\`\`

Module paths (\`transform.module\`, \`codec.module\`, \`schema.module\`, \`memory.inputFile\`, TLS files) are relative to the
config file. Samples: [examples/config/memory.yaml](../examples/config/memory.yaml) (no services) and
[examples/config/kafka.yaml](../examples/config/kafka.yaml).

## Keys

| key | type | default | meaning |
| --- | --- | --- | --- |
${rows(schema, '', schema.required ?? []).join('\n')}

## Environment overrides

A set variable overrides the file's value (and is validated like it):

| variable | key |
| --- | --- |
${EnvOverrides.map((o) => `| \`${o.variable}\` | \`${o.path.join('.')}\` |`).join('\n')}

\`HTTP_PORT\` wins over \`PORT\`. The Kafka instance id falls back to \`HOSTNAME\` when neither the file nor
\`ORCHESTRON_INSTANCE_ID\` sets it.
`;
}
