import { parseArgs } from 'node:util';
import { ConfigError, OrchestronError, messageOf } from '../core/index.ts';
import type { CommandName } from './commands/usage.ts';
import { CommandNames, Usage } from './commands/usage.ts';
import type { Host } from './host.ts';
import { version } from './version.ts';

const configFlag = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const;

const flagsOf = {
  // The soak parses its own flags (soak/options.ts).
  soak: {},
  run: configFlag,
  check: configFlag,
  console: configFlag,
  migrate: { ...configFlag, target: { type: 'string', multiple: true } },
  replay: {
    ...configFlag,
    dlq: { type: 'string' },
    to: { type: 'string' },
    category: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    rate: { type: 'string' },
    'max-replays': { type: 'string' },
    'parking-topic': { type: 'string' },
    group: { type: 'string' },
  },
} as const;

class UsageError extends Error {}

function parse(command: CommandName, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: flagsOf[command], allowPositionals: false, strict: true }).values as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

async function dispatch(host: Host, command: CommandName, values: Record<string, unknown>): Promise<number> {
  const config = values.config as string | undefined;
  if (!config) throw new UsageError('--config FILE is required');
  if (command === 'check' || command === 'migrate') {
    // These have nothing to drain: a signal ends them at once, as the default action would (130 SIGINT, 143 SIGTERM).
    for (const signal of ['SIGINT', 'SIGTERM'] as const) host.onSignal(signal, () => host.exit(signal === 'SIGINT' ? 130 : 143));
  }
  // Each command loads its own modules, so `--help` and `check` do not pay for every client library.
  switch (command) {
    case 'soak':
      throw new UsageError('the soak parses its own flags');
    case 'run':
      return (await import('./commands/run.ts')).runCommand(host, config);
    case 'check':
      return (await import('./commands/check.ts')).checkCommand(host, config);
    case 'console':
      return (await import('./commands/console.ts')).consoleCommand(host, config);
    case 'migrate':
      return (await import('./commands/migrate.ts')).migrateCommand(host, config, (values.target as string[] | undefined) ?? []);
    case 'replay':
      return (await import('./commands/replay.ts')).replayCommand(host, { ...values, config } as never);
  }
}

/** `orchestron <command> [options]`: the exit code. Bad usage and bad config exit 2, failures at run time 1. */
export async function cli(host: Host): Promise<number> {
  const [first, ...rest] = host.argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    host.write(first === undefined ? 'stderr' : 'stdout', `${Usage.main}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    host.write('stdout', `orchestron ${version} (${host.runtime} ${host.runtimeVersion})\n`);
    return 0;
  }
  if (!(CommandNames as string[]).includes(first)) {
    host.write('stderr', `orchestron: unknown command ${JSON.stringify(first)}; commands: ${CommandNames.join(', ')}\n\n${Usage.main}\n`);
    return 2;
  }
  const command = first as CommandName;
  if (command === 'soak') return (await import('../soak/main.ts')).soakMain(rest, host.env, host.onSignal);
  try {
    const values = parse(command, rest);
    if (values.help) {
      host.write('stdout', `${Usage[command]}\n`);
      return 0;
    }
    return await dispatch(host, command, values);
  } catch (error) {
    if (error instanceof UsageError) {
      host.write('stderr', `orchestron ${command}: ${error.message}\n\n${Usage[command]}\n`);
      return 2;
    }
    const code = error instanceof OrchestronError && !(error instanceof ConfigError) ? ` [${error.code}]` : '';
    host.write('stderr', `orchestron ${command}: ${messageOf(error)}${code}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
