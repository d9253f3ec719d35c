import { redactUrl } from '../../core/index.ts';
import { storeRegistry } from '../../adapters/registry/stores.ts';
import type { Config } from './schema.ts';
import { storeSettings } from './store-url.ts';

/** The config as `check` prints it: passwords masked, URLs without their credentials. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const store of storeRegistry) {
    const section = storeSettings(copy, store);
    if (section.url) section.url = redactUrl(section.url);
  }
  if (copy.kafka.sasl) (copy.kafka.sasl as { password: string }).password = '***';
  if (copy.console.token) copy.console.token = '***';
  if (copy.console.basicAuth) (copy.console.basicAuth as { password: string }).password = '***';
  return copy;
}
