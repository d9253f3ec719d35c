// How the examples start and stop: shared by their main.ts files.
import { ConfigError, messageOf } from '../core/index.ts';

/** SIGINT and SIGTERM: the first calls `stop` (a drain of the batch in flight); a second one exits at once with 130. */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => unknown): void {
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (++signals > 1) process.exit(130);
      void stop(signal);
    });
  }
}

export interface FlagExample<Options, Settings> {
  /** Shown in front of error lines. */
  readonly name: string;
  readonly usage: string;
  /** The command line's options, or undefined for --help. */
  readonly parse: (argv: readonly string[]) => Options | undefined;
  readonly resolve: (options: Options, env: NodeJS.ProcessEnv) => Settings;
  readonly start: (settings: Settings) => Promise<{ stop(): Promise<unknown>; readonly finished: Promise<unknown> }>;
}

/**
 * The main of an example driven by flags: usage on --help, a settings error exits 2 naming the setting, then it runs
 * until SIGINT or SIGTERM (drained) or a failure (exit 1, or 2 for a ConfigError found while starting).
 */
export async function runFlagExample<Options, Settings>(example: FlagExample<Options, Settings>): Promise<void> {
  let settings: Settings;
  try {
    const options = example.parse(process.argv.slice(2));
    if (!options) {
      process.stdout.write(`${example.usage}\n`);
      return;
    }
    settings = example.resolve(options, process.env);
  } catch (error) {
    process.stderr.write(`${example.name}: ${messageOf(error)} (--help lists the settings)\n`);
    process.exitCode = 2;
    return;
  }
  try {
    const running = await example.start(settings);
    stopOnSignals(() => running.stop());
    await running.finished;
  } catch (error) {
    process.stderr.write(`${example.name}: ${messageOf(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}
