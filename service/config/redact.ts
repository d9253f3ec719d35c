import { redactUrl } from '../../core/index.ts';
import type { Config } from './schema.ts';

/** The config as `check` prints it: passwords masked, URLs without their credentials. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config) as Config & Record<string, unknown>;
  for (const store of ['postgres', 'redis', 'mongodb'] as const) {
    const url = copy[store].url;
    if (url) (copy[store] as { url?: string }).url = redactUrl(url);
  }
  if (copy.kafka.sasl) (copy.kafka.sasl as { password: string }).password = '***';
  return copy;
}
