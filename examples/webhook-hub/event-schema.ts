import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';

const isJsonObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

const EventFields = v.strictObject({
  /** What happened, e.g. `order.created`. */
  type: v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'Invalid type: letters, digits and . _ : / -, 128 at most')),
  /** Who says so, as the sender names itself. */
  source: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  /** When it happened, ISO 8601. */
  occurredAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  /** The event's own fields. */
  data: v.pipe(v.unknown(), v.check(isJsonObject, 'Invalid type: Expected a JSON object'), v.record(v.string(), v.unknown())),
});

/**
 * The body of `POST /events`. A valibot schema: a Standard Schema validator, so the core's `validate()` checks it
 * and reports issues with their paths, and `@valibot/to-json-schema` publishes the same rules as a JSON Schema.
 * (valibot alone would take an array for an object; JSON Schema does not, and neither does the hub.)
 */
export const EventSchema = v.pipe(v.unknown(), v.check(isJsonObject, 'Invalid type: Expected a JSON object'), EventFields);

export type IncomingEvent = v.InferOutput<typeof EventSchema>;

/** `GET /schema`: the JSON Schema senders can validate against before they send. */
export const eventJsonSchema = toJsonSchema(EventSchema, { errorMode: 'ignore' });

/** An accepted event as stored and as published: the body plus what the hub adds. */
export interface HubEvent extends IncomingEvent {
  readonly id: string;
  /** Name of the API key that sent it. */
  readonly apiKey: string;
  readonly receivedAt: string;
}
