// Shared by the MongoDB integration tests: the server under test, unique collection names, cleanup.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MongoClient } from 'mongodb';
import { resolveConnection } from './options.ts';

export const mongo = resolveConnection({ serverSelectionTimeoutMs: 5_000 });

/** host and port of the server under test, for a TcpProxy in front of it. */
export function mongoAddress(): { host: string; port: number } {
  const hostPort = /^mongodb:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(mongo.url)?.[1] ?? '127.0.0.1:27017';
  const [host, port] = hostPort.split(':');
  return { host: host ?? '127.0.0.1', port: Number(port ?? 27017) };
}

/** A collection name no other test (or earlier run) uses. */
export const freshCollection = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;

let admin: Promise<MongoClient> | undefined;

function adminClient(): Promise<MongoClient> {
  admin ??= new MongoClient(mongo.url, { serverSelectionTimeoutMS: 5_000 }).connect();
  return admin;
}

export async function dropCollection(name: string): Promise<void> {
  await (await adminClient()).db(mongo.database).collection(name).drop().catch(() => {});
}

/** Every document in the collection, whatever it is (rows, sweep claims). */
export async function countDocuments(name: string): Promise<number> {
  return (await adminClient()).db(mongo.database).collection(name).countDocuments();
}

export async function closeAdmin(): Promise<void> {
  const client = admin;
  admin = undefined;
  if (client) await (await client).close();
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
