// Proves that the services started by `npm run services:up` are real servers: each test makes a
// full round trip through one of them, in names of its own so that runs never see each other's data.
//
//   eval "$(npm run -s services:up)" && npx vitest run --project integration scripts/services
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import postgres from 'postgres';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';

const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://orchestron:orchestron@127.0.0.1:5432/orchestron';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/orchestron';
const SCHEMA_REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v6';

const suffix = () => randomBytes(6).toString('hex');

describe('Kafka', () => {
  it('carries 1,000 records from a producer to a fresh consumer group', async () => {
    const count = 1_000;
    const topic = `orchestron-services-${randomUUID()}`;
    const admin = new Admin({ clientId: 'services-test-admin', bootstrapBrokers: KAFKA_BROKERS });
    const producer = new Producer({
      clientId: 'services-test-producer',
      bootstrapBrokers: KAFKA_BROKERS,
      serializers: stringSerializers,
    });
    const consumer = new Consumer({
      clientId: 'services-test-consumer',
      groupId: `orchestron-services-${randomUUID()}`,
      bootstrapBrokers: KAFKA_BROKERS,
      deserializers: stringDeserializers,
      maxWaitTime: 500,
    });

    try {
      await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });

      const ids = Array.from({ length: count }, (_, i) => `record-${i}`);
      for (let start = 0; start < count; start += 200) {
        await producer.send({
          messages: ids.slice(start, start + 200).map((id) => ({ topic, key: id, value: JSON.stringify({ id }) })),
        });
      }

      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      const received = new Set<string>();
      const giveUp = setTimeout(() => void stream.close(), 60_000);
      for await (const message of stream) {
        const { id } = JSON.parse(message.value ?? '{}') as { id?: string };
        expect(id).toBe(message.key);
        if (id) received.add(id);
        if (received.size === count) break;
      }
      clearTimeout(giveUp);
      await stream.close();

      expect(received.size).toBe(count);
      expect([...received].sort()).toEqual([...ids].sort());
    } finally {
      await consumer.close(true).catch(() => {});
      await producer.close().catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.close().catch(() => {});
    }
  });
});

describe('PostgreSQL', () => {
  it('creates, fills, reads and drops a table', async () => {
    const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
    const table = `services_test_${suffix()}`;
    try {
      await sql`create table ${sql(table)} (id integer primary key, note text not null)`;
      await sql`insert into ${sql(table)} ${sql({ id: 42, note: 'hello postgres' })}`;
      const rows = await sql<{ id: number; note: string }[]>`select id, note from ${sql(table)}`;
      expect(rows).toEqual([{ id: 42, note: 'hello postgres' }]);
    } finally {
      await sql`drop table if exists ${sql(table)}`.catch(() => {});
      await sql.end();
    }
  });
});

describe('MongoDB wire (FerretDB)', () => {
  it('stores and finds a document', async () => {
    const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
    const name = `services_test_${suffix()}`;
    try {
      await client.connect();
      const collection = client.db().collection<{ _id: string; note: string; n: number }>(name);
      await collection.insertOne({ _id: 'doc-1', note: 'hello mongo', n: 7 });
      const found = await collection.findOne({ n: { $gt: 5 } });
      expect(found).toEqual({ _id: 'doc-1', note: 'hello mongo', n: 7 });
    } finally {
      await client.db().collection(name).drop().catch(() => {});
      await client.close();
    }
  });
});

describe('Redis', () => {
  it('sets, reads and deletes a key', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => {}); // failures surface through the awaited commands below
    const key = `orchestron:services-test:${suffix()}`;
    try {
      await redis.connect();
      expect(await redis.set(key, 'hello redis', 'EX', 60)).toBe('OK');
      expect(await redis.get(key)).toBe('hello redis');
      expect(await redis.del(key)).toBe(1);
      expect(await redis.exists(key)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('Schema registry', () => {
  it('registers a schema under a subject and returns it by id', async () => {
    const subject = `services-test-${suffix()}-value`;
    const schema = JSON.stringify({ type: 'record', name: 'Probe', fields: [{ name: 'n', type: 'int' }] });
    const headers = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
    const registered = await fetch(`${SCHEMA_REGISTRY_URL}/subjects/${subject}/versions`, { method: 'POST', headers, body: JSON.stringify({ schema }) });
    expect(registered.status).toBe(200);
    const { id } = (await registered.json()) as { id: number };
    const found = (await (await fetch(`${SCHEMA_REGISTRY_URL}/schemas/ids/${id}`)).json()) as { schema: string };
    expect(JSON.parse(found.schema)).toEqual(JSON.parse(schema));
    expect((await fetch(`${SCHEMA_REGISTRY_URL}/subjects`)).ok).toBe(true);
  });
});
