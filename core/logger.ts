/** Structured fields of a log line. Record-level lines carry dedupKey, topic, partition and offset. */
export type LogFields = Readonly<Record<string, unknown>>;

type LogMethod = (fields: LogFields, message: string) => void;

/** pino-shaped: a pino logger satisfies it as is. */
export interface Logger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

const ignore: LogMethod = () => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The fields that identify a record in a log line; never its payload. */
export const recordFields = (record: {
  readonly dedupKey: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}): LogFields => ({
  dedupKey: record.dedupKey,
  topic: record.topic,
  partition: record.partition,
  offset: record.offset.toString(),
});
