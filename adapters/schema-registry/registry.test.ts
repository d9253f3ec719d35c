import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOrchestronError } from '../../core/index.ts';
import { BoundedMap, SchemaRegistry } from './registry.ts';

/** The answers of the registry's REST API this client relies on, status codes as Confluent documents them. */
const requests: string[] = [];
const server = createServer((request, response) => {
  requests.push(`${request.method} ${request.url}`);
  const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (request.url === '/schemas/ids/7') return reply(200, { schema: '"string"' });
  if (request.url === '/schemas/ids/8') return reply(200, { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' });
  if (request.url === '/schemas/ids/500') return reply(500, { error_code: 50001, message: 'store error' });
  if (request.url === '/subjects/bad-value/versions') return reply(422, { error_code: 42201, message: 'Invalid schema' });
  if (request.url === '/subjects/orders-value/versions') return reply(200, { id: 7 });
  return reply(404, { error_code: 40403, message: 'Schema not found' });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isOrchestronError(error) ? [error.code, error.retryable] : error),
  );

describe('SchemaRegistry (HTTP client)', () => {
  it('answers schemas by id once, from its cache after that, and undefined for an id the registry has not', async () => {
    const registry = new SchemaRegistry({ url });
    requests.length = 0;
    expect(await registry.schemaById(7)).toEqual({ schema: '"string"', schemaType: 'AVRO' });
    expect(await registry.schemaById(7)).toEqual({ schema: '"string"', schemaType: 'AVRO' });
    expect(await registry.schemaById(8)).toEqual({ schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' });
    expect(await registry.schemaById(9)).toBeUndefined();
    expect(requests).toEqual(['GET /schemas/ids/7', 'GET /schemas/ids/8', 'GET /schemas/ids/9']);
  });

  it('is retryable for an unreachable registry and a server error, not for a refused schema', async () => {
    const registry = new SchemaRegistry({ url });
    expect(await codeOf(registry.schemaById(500))).toEqual(['SCHEMA_REGISTRY_ERROR', true]);
    expect(await codeOf(new SchemaRegistry({ url: 'http://127.0.0.1:9' }).schemaById(1))).toEqual(['SCHEMA_REGISTRY_ERROR', true]);
    expect(await codeOf(registry.idOf('bad-value', { schema: '{', schemaType: 'AVRO' }, true))).toEqual(['SCHEMA_REGISTRY_ERROR', false]);
    expect(await codeOf(registry.idOf('other-value', { schema: '"int"', schemaType: 'AVRO' }, false))).toEqual(['SCHEMA_REGISTRY_ERROR', false]);
  });

  it('registers under the subject, and remembers the id', async () => {
    const registry = new SchemaRegistry({ url });
    requests.length = 0;
    expect(await registry.idOf('orders-value', { schema: '"string"', schemaType: 'AVRO' }, true)).toBe(7);
    expect(await registry.idOf('orders-value', { schema: '"string"', schemaType: 'AVRO' }, true)).toBe(7);
    expect(requests).toEqual(['POST /subjects/orders-value/versions']);
  });

  it('refuses a URL that is not http(s), naming the field', () => {
    expect(() => new SchemaRegistry({ url: 'registry:8081' })).toThrow(/^url: /);
    expect(() => new SchemaRegistry({ url, cacheSize: 0 })).toThrow(/^cacheSize: /);
  });
});

describe('BoundedMap', () => {
  it('forgets the oldest entry past its limit', () => {
    const map = new BoundedMap<number, string>(2);
    map.set(1, 'a').set(2, 'b').set(1, 'a2').set(3, 'c');
    expect([...map.keys()]).toEqual([2, 3]);
  });
});
