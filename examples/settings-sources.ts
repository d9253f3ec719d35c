// What the flag-driven examples share in resolving their settings: explicit options, then each option's environment
// variable, then the example's defaults; flags parsed from the command line; the checks of Kafka names and numbers.
import { parseArgs } from 'node:util';
import { FailureModes, checkOneOf, checkWholeNumber } from '../core/index.ts';
import type { FailureMode } from '../core/index.ts';
import { checkTopicName } from '../adapters/kafka/options.ts';

export type { Env } from '../core/index.ts';
import type { Env } from '../core/index.ts';
export type Value = string | number | boolean | undefined;

/** Where an option comes from besides the code: its flag and its environment variable. */
export interface OptionSource {
  readonly flag: string;
  readonly env: string;
  /** A flag without a value (`--capture-payload`). */
  readonly boolean?: true;
}

export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** An option's raw value: explicit first, then its environment variable (empty counts as unset). */
export function reader<O extends object>(options: O, env: Env, sources: Readonly<Record<keyof O, OptionSource>>): (field: keyof O) => Value {
  return (field) => {
    const explicit = options[field] as Value;
    if (explicit !== undefined) return explicit;
    const text = env[sources[field].env];
    return text === undefined || text === '' ? undefined : text;
  };
}

/** A whole number ≥ `min`, given as a number or as its digits. */
export const wholeNumber = (field: string, value: Value, min: number): number =>
  checkWholeNumber(field, typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value, min);

/** Topic names, group and instance ids: the characters Kafka allows in a topic name (ids end up in topic-like names). */
export const kafkaName = (field: string, value: Value): string => checkTopicName(field, value);

/** The seeds spell modes ATOMIC and SKIP_AND_LOG; core spells them atomic and skip-and-log. */
export const failureModeOf = (value: Value): FailureMode =>
  checkOneOf('failureMode', typeof value === 'string' ? value.toLowerCase().replaceAll('_', '-') : value, FailureModes);

/** The command line as options (`--join-window-ms 3000` → `{ joinWindowMs: '3000' }`), with `--skip-and-log`; undefined for --help. */
export function optionsFromFlags<O extends object>(argv: readonly string[], sources: Readonly<Record<keyof O, OptionSource>>): O | undefined {
  const entries = Object.entries(sources) as [keyof O & string, OptionSource][];
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(entries.map(([, s]) => [s.flag, { type: s.boolean ? ('boolean' as const) : ('string' as const) }])),
      'skip-and-log': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const options: Record<string, Value> = {};
  for (const [field, source] of entries) {
    const value = (values as Record<string, Value>)[source.flag];
    if (value !== undefined) options[field] = value;
  }
  if (values['skip-and-log']) options.failureMode = 'skip-and-log';
  return options as O;
}

/** The usage text's list of flags and their environment variables. */
export const flagList = (sources: Readonly<Record<string, OptionSource>>, width: number): string =>
  Object.values(sources)
    .map((s) => `  --${s.flag.padEnd(width)} ${s.env}`)
    .join('\n');
