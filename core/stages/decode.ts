import type { Batch, DroppedRecord } from '../batch.ts';
import type { Codec } from '../codecs/codec.ts';
import type { Envelope } from '../envelope.ts';
import { DeserializationError, ValidationError, messageOf, toOrchestronError, withoutStacks } from '../errors.ts';
import type { StandardSchemaV1 } from '../schema.ts';
import { validate } from '../schema.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { countFailed, failRecord } from './failures.ts';

export interface DecodeOptions<S extends StandardSchemaV1 | undefined> {
  /** Any Standard Schema validator; records that fail it are dropped with VALIDATION_ERROR. */
  readonly schema?: S;
}

type Decoded<T, S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : T;

/** A record the codec could not decode, in the list of decoded values. */
class Undecodable {
  readonly error: DeserializationError;
  constructor(error: DeserializationError) {
    this.error = error;
  }
}

/**
 * The codec over a batch, stacks off: a parse error describes the record, not code, and V8 spends ~5 µs capturing the
 * stack of each (more in deep async call chains). Synchronous, so no other code runs while stacks are off.
 */
function decodeAll<T>(codec: Codec<T>, records: readonly Envelope<Uint8Array | null>[]): unknown[] {
  return withoutStacks(() => {
    const values = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as Envelope<Uint8Array | null>;
      try {
        values[i] = codec.decode(record.value, record);
      } catch (error) {
        values[i] = new Undecodable(
          error instanceof DeserializationError
            ? error
            : new DeserializationError(`codec ${codec.name}: ${messageOf(error)}`, { cause: error, reason: `codec ${codec.name} failed` }),
        );
      }
    }
    return values;
  });
}

/** Bytes → values. Bad bytes fail with DESERIALIZATION_ERROR and bad values with VALIDATION_ERROR; neither is retried. */
export function decode<T, S extends StandardSchemaV1 | undefined = undefined>(
  codec: Codec<T>,
  options: DecodeOptions<S> = {},
): BatchStage<Uint8Array | null, Decoded<T, S>> {
  const { schema } = options;
  return batchStage(async (batch) => {
    const records: Envelope<Decoded<T, S>>[] = [];
    const dropped: DroppedRecord[] = [];
    const context = batch.control.context;
    if (codec.prepare) {
      try {
        await codec.prepare(batch.records, batch.control);
      } catch (error) {
        batch.control.fail(toOrchestronError(error));
        return batch as unknown as Batch<Decoded<T, S>>;
      }
    }
    const values = decodeAll(codec, batch.records);
    for (let i = 0; i < values.length; i++) {
      const record = batch.records[i] as Envelope<Uint8Array | null>;
      let value = values[i];
      if (value instanceof Undecodable) {
        dropped.push(failRecord(context, record, value.error));
        continue;
      }
      if (schema) {
        try {
          const checked = validate(schema, value);
          value = checked instanceof Promise ? await checked : checked;
        } catch (error) {
          const failure =
            error instanceof ValidationError
              ? error
              : new ValidationError(`schema threw: ${messageOf(error)}`, { cause: error, reason: 'schema threw' });
          dropped.push(failRecord(context, record, failure));
          continue;
        }
      }
      records.push({ ...record, value: value as Decoded<T, S> });
    }
    countFailed(context, dropped);
    return batch.next(records, dropped);
  });
}
