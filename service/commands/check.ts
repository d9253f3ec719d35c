import { loadConfig } from '../config/load.ts';
import { redactConfig } from '../config/redact.ts';
import type { Host } from '../host.ts';
import { loadCodec, loadSchema, loadTransform } from '../pipeline/user-code.ts';

/** Validates the config and the user modules it names, then prints the resolved config with secrets redacted. */
export async function checkCommand(host: Host, file: string): Promise<number> {
  const loaded = await loadConfig(file, host.env);
  await Promise.all([loadTransform(loaded.config, loaded.baseDir), loadCodec(loaded.config, loaded.baseDir), loadSchema(loaded.config, loaded.baseDir)]);
  host.write('stdout', `${JSON.stringify(redactConfig(loaded.config), null, 2)}\n`);
  return 0;
}
