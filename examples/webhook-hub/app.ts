// The hub's HTTP API as a Hono app. Runtime-agnostic: Web-standard APIs only, everything else injected, so the same
// app runs on Node (server.ts), Bun or Deno.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ValidationError, validate } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import type { ApiKeys } from './api-keys.ts';
import { EventSchema, eventJsonSchema } from './event-schema.ts';
import type { HubEvent } from './event-schema.ts';
import type { EventStore } from './event-store.ts';
import type { RateLimiter } from './rate-limit.ts';

export const RejectReasons = [
  'missing_api_key',
  'invalid_api_key',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_json',
  'schema_invalid',
  'storage_unavailable',
] as const;
export type RejectReason = (typeof RejectReasons)[number];

export interface ApiMetrics {
  ingested(apiKey: string): void;
  rejected(reason: RejectReason): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export interface HubAppDeps {
  readonly events: EventStore;
  readonly apiKeys: ApiKeys;
  readonly limiter: RateLimiter;
  readonly metrics: ApiMetrics;
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

type Env = { Variables: { apiKey: string } };

/**
 * `POST /events` (API key, per-key rate limit, size limit, schema; 202 once the event and its outbox row are
 * committed), `GET /health`, `GET /metrics`, `GET /schema`. Checks run cheapest first, and the body is only read
 * from a known sender within its rate.
 */
export function createHubApp(deps: HubAppDeps): Hono<Env> {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  const reject = (c: Context, status: 400 | 401 | 413 | 415 | 429 | 503, reason: RejectReason, message: string, extra: object = {}) => {
    deps.metrics.rejected(reason);
    return c.json({ error: reason, message, ...extra }, status);
  };

  app.post(
    '/events',
    async (c, next) => {
      const presented = c.req.header('x-api-key');
      if (!presented) return reject(c, 401, 'missing_api_key', 'missing API key: send it in the x-api-key header');
      const name = deps.apiKeys.identify(presented);
      if (name === undefined) return reject(c, 401, 'invalid_api_key', 'invalid API key');
      c.set('apiKey', name);
      await next();
    },
    async (c, next) => {
      const decision = deps.limiter.take(c.get('apiKey'));
      if (!decision.allowed) {
        c.header('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
        return reject(c, 429, 'rate_limited', 'rate limit exceeded for this API key');
      }
      await next();
    },
    bodyLimit({
      maxSize: deps.maxPayloadBytes,
      onError: (c) => reject(c, 413, 'payload_too_large', `the body is larger than ${deps.maxPayloadBytes} bytes`),
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) return reject(c, 415, 'unsupported_media_type', 'send the event as application/json');
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return reject(c, 400, 'invalid_json', 'the body is not valid JSON');
      }
      let event: HubEvent;
      try {
        event = { ...(await validate(EventSchema, body)), id: newId(), apiKey: c.get('apiKey'), receivedAt: now().toISOString() };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reject(c, 400, 'schema_invalid', 'the event does not match the schema (GET /schema)', { issues: error.issues });
      }
      try {
        await deps.events.accept(event);
      } catch (error) {
        deps.logger.error({ error: error instanceof Error ? error.message : String(error), eventId: event.id }, 'event not stored');
        c.header('Retry-After', '5');
        return reject(c, 503, 'storage_unavailable', 'the event could not be stored; send it again later');
      }
      deps.metrics.ingested(event.apiKey);
      deps.logger.info({ eventId: event.id, type: event.type, apiKey: event.apiKey }, 'event accepted');
      return c.json({ id: event.id, status: 'accepted' }, 202);
    },
  );

  app.get('/health', async (c) => {
    try {
      await deps.events.ping();
      return c.json({ status: 'ok', checks: { postgres: 'ok' } });
    } catch (error) {
      deps.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'health: postgres unreachable');
      return c.json({ status: 'unavailable', checks: { postgres: 'unreachable' } }, 503);
    }
  });

  app.get('/metrics', async (c) => {
    const { contentType, body } = await deps.metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.get('/schema', (c) => c.json(eventJsonSchema));

  app.onError((error, c) => {
    deps.logger.error({ error: error.message, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal_error', message: 'internal error' }, 500);
  });

  return app;
}
