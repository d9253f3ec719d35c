import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configReference } from './reference.ts';
import { EnvOverrides } from './env.ts';

const doc = (name: string) => readFile(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('configuration reference', () => {
  it('docs/configuration.md is the one generated from the schema (npm run docs:config)', async () => {
    expect(await doc('configuration.md')).toBe(configReference());
  });

  it('docs/config.schema.json is the schema', async () => {
    expect(JSON.parse(await doc('config.schema.json'))).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('lists every key and every environment override', () => {
    const text = configReference();
    for (const key of ['failureMode', 'trackerStrategy', 'maxAttempts', 'breaker.failureThreshold', 'breaker.openMs', 'kafka.sasl', 'shutdown.deadlineMs']) {
      expect(text).toContain(`| \`${key}\` |`);
    }
    for (const { variable } of EnvOverrides) expect(text).toContain(`\`${variable}\``);
  });
});
