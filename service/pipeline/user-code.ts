import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, json, messageOf, utf8 } from '../../core/index.ts';
import type { Codec, StandardSchemaV1, TransformFn } from '../../core/index.ts';
import type { Config } from '../config/schema.ts';

/** Imports `export` of `module` (relative to the config file) and checks it is what `field` needs. */
async function importExport(field: string, module: string, name: string, baseDir: string): Promise<unknown> {
  const url = pathToFileURL(resolve(baseDir, module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${field}.module`, `cannot load ${module}: ${messageOf(error)}`);
  }
  if (!(name in loaded)) {
    const exports = Object.keys(loaded).join(', ') || 'nothing';
    throw new ConfigError(`${field}.export`, `${module} has no export named ${JSON.stringify(name)} (it exports ${exports})`);
  }
  return loaded[name];
}

export async function loadTransform(config: Config, baseDir: string): Promise<TransformFn<unknown, unknown>> {
  const { module, export: name } = config.transform;
  if (!module) return (value) => value;
  const fn = await importExport('transform', module, name, baseDir);
  if (typeof fn !== 'function') throw new ConfigError('transform.export', `${module}#${name} is not a function`);
  return fn as TransformFn<unknown, unknown>;
}

export async function loadCodec(config: Config, baseDir: string): Promise<Codec<unknown>> {
  const { codec } = config;
  if (codec === 'json') return json<unknown>();
  if (codec === 'utf8') return utf8() as Codec<unknown>;
  const loaded = (await importExport('codec', codec.module, codec.export, baseDir)) as Partial<Codec<unknown>> | undefined;
  if (typeof loaded?.decode !== 'function') throw new ConfigError('codec.export', `${codec.module}#${codec.export} has no decode(bytes, record) function`);
  return loaded as Codec<unknown>;
}

export async function loadSchema(config: Config, baseDir: string): Promise<StandardSchemaV1 | undefined> {
  if (!config.schema) return undefined;
  const schema = (await importExport('schema', config.schema.module, config.schema.export, baseDir)) as Partial<StandardSchemaV1> | undefined;
  if (typeof schema?.['~standard']?.validate !== 'function') {
    throw new ConfigError('schema.export', `${config.schema.module}#${config.schema.export} is not a Standard Schema (no ~standard.validate)`);
  }
  return schema as StandardSchemaV1;
}
