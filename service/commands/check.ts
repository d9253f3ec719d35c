import { storeEntry } from '../../adapters/registry/stores.ts';
import { loadConfig } from '../config/load.ts';
import { redactConfig } from '../config/redact.ts';
import { storeSettings, storeUrlOf } from '../config/store-url.ts';
import type { Host } from '../host.ts';
import { loadCodec, loadSchema, loadTransform } from '../pipeline/user-code.ts';

/**
 * Validates the config and the user modules it names, then prints the resolved config with secrets redacted, the
 * store's URL as it will be used (a built-in default included, and said on stderr).
 */
export async function checkCommand(host: Host, file: string): Promise<number> {
  const loaded = await loadConfig(file, host.env);
  await Promise.all([loadTransform(loaded.config, loaded.baseDir), loadCodec(loaded.config, loaded.baseDir), loadSchema(loaded.config, loaded.baseDir)]);
  const printed = redactConfig(loaded.config);
  const storeUrl = await storeUrlOf(loaded.config);
  if (storeUrl) {
    storeSettings(printed, storeEntry(loaded.config.store)).url = storeUrl.redacted;
    if (storeUrl.defaulted) {
      host.write('stderr', `${storeUrl.field} is not set: the built-in default ${storeUrl.redacted} is used (set ${storeUrl.field} or ${storeUrl.variable})\n`);
    }
  }
  host.write('stdout', `${JSON.stringify(printed, null, 2)}\n`);
  return 0;
}
