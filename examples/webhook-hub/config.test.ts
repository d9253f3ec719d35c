import { describe, expect, it } from 'vitest';
import { resolveHubOptions } from './config.ts';

const keys = 'shop:shop-key-0123456789,crm:crm-key-0123456789ab';

describe('webhook-hub options', () => {
  it("defaults to the seed's limits and outbox settings", () => {
    const options = resolveHubOptions({}, { WEBHOOK_HUB_API_KEYS: keys });
    expect(options).toMatchObject({
      port: 8_082,
      rateLimit: 100,
      rateLimitBurst: 20,
      maxPayloadBytes: 1_048_576,
      topic: 'events',
      batchSize: 100,
      intervalMs: 5_000,
      maxAttempts: 3,
      tablePrefix: 'webhook_hub',
      apiKeysGenerated: false,
    });
    expect(options.apiKeys).toEqual([
      { name: 'shop', key: 'shop-key-0123456789' },
      { name: 'crm', key: 'crm-key-0123456789ab' },
    ]);
  });

  it('generates a key for the run when none is configured', () => {
    const options = resolveHubOptions({}, {});
    expect(options.apiKeysGenerated).toBe(true);
    expect(options.apiKeys[0]?.key.length).toBeGreaterThanOrEqual(16);
    expect(resolveHubOptions({}, {}).apiKeys[0]?.key).not.toBe(options.apiKeys[0]?.key);
  });

  it('takes explicit options over the environment', () => {
    const options = resolveHubOptions({ rateLimit: 5, topic: 'webhooks' }, { WEBHOOK_HUB_API_KEYS: keys, WEBHOOK_HUB_RATE_LIMIT: '50', WEBHOOK_HUB_RATE_LIMIT_BURST: '7' });
    expect(options).toMatchObject({ rateLimit: 5, rateLimitBurst: 7, topic: 'webhooks', deliveredTopic: 'webhooks-delivered' });
  });

  it('names the bad setting and never shows a key', () => {
    const secret = 'short-secret';
    expect(() => resolveHubOptions({}, { WEBHOOK_HUB_API_KEYS: `shop:${secret}` })).toThrow(/key "shop" must have 16 characters/);
    try {
      resolveHubOptions({}, { WEBHOOK_HUB_API_KEYS: `shop:${secret}` });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
    expect(() => resolveHubOptions({}, { WEBHOOK_HUB_API_KEYS: 'no-name-here-0123456789' })).toThrow(/WEBHOOK_HUB_API_KEYS: entry 1 must be name:key/);
    expect(() => resolveHubOptions({}, { WEBHOOK_HUB_API_KEYS: `${keys},shop:another-key-0123456789` })).toThrow(/names must be unique/);
    expect(() => resolveHubOptions({ tablePrefix: 'bad-prefix' })).toThrow(/tablePrefix/);
    expect(() => resolveHubOptions({}, { WEBHOOK_HUB_RATE_LIMIT: '10/s' })).toThrow(/WEBHOOK_HUB_RATE_LIMIT: must be a whole number/);
    expect(() => resolveHubOptions({ databaseUrl: 'mysql://u:pw@h/db' })).toThrow(/databaseUrl.*\*\*\*/);
  });
});
