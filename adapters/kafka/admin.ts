import { Admin, findErrorBy } from '@platformatic/kafka';
import { SourceError, isOrchestronError } from '../../core/index.ts';
import { kafkaError } from './errors.ts';
import { parseBrokers } from './options.ts';

export interface TopicSpec {
  readonly name: string;
  readonly partitions?: number;
  /** Topic configs, e.g. `{ 'max.message.bytes': '100000' }`. */
  readonly configs?: Readonly<Record<string, string>>;
  /** Replication factor; default 1, -1 for the broker's default. */
  readonly replicas?: number;
}

/** The Admin client's options: the brokers alone, or whole options (SASL, TLS, the client's settings). */
export type AdminTarget = readonly string[] | string | ConstructorParameters<typeof Admin>[0];

const adminOf = (target: AdminTarget): Admin =>
  new Admin(typeof target === 'string' || Array.isArray(target) ? { clientId: 'orchestron-admin', bootstrapBrokers: parseBrokers(target as readonly string[] | string) } : (target as ConstructorParameters<typeof Admin>[0]));

/** Deletes the topics named, or those whose name matches; ones already gone are left alone. */
export async function deleteTopics(brokers: readonly string[] | string, names: readonly string[] | ((name: string) => boolean)): Promise<void> {
  const admin = new Admin({ clientId: 'orchestron-admin', bootstrapBrokers: parseBrokers(brokers) });
  const wanted = typeof names === 'function' ? names : (name: string) => names.includes(name);
  try {
    const present = (await admin.listTopics()).filter(wanted);
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  } catch (error) {
    throw kafkaError(error, `delete topics ${typeof names === 'function' ? 'matching' : names.join(', ')}`);
  } finally {
    await admin.close();
  }
}

/** Creates the topics of `topics` not in `existing`; returns those it created (one created meanwhile elsewhere counts as existing). */
async function createMissing(admin: Admin, existing: ReadonlySet<string>, topics: readonly TopicSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const topic of topics) {
    if (existing.has(topic.name)) continue;
    try {
      const configs = Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value }));
      await admin.createTopics({ topics: [topic.name], partitions: topic.partitions ?? 6, replicas: topic.replicas ?? 1, ...(configs.length > 0 ? { configs } : {}) });
      created.push(topic.name);
    } catch (error) {
      // Created meanwhile by someone else; the broker's code can sit several errors deep in the client's error.
      if (!findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) {
        throw kafkaError(error, `create topic ${topic.name}`);
      }
    }
  }
  return created;
}

/**
 * Creates topics that do not exist yet (replication 1 unless `replicas` says otherwise); existing ones are left alone.
 * Returns the names it created.
 */
export async function ensureTopics(target: AdminTarget, topics: readonly TopicSpec[]): Promise<string[]> {
  const admin = adminOf(target);
  try {
    return await createMissing(admin, new Set(await admin.listTopics()), topics);
  } finally {
    await admin.close();
  }
}

/**
 * Creates each topic of `topics` that does not exist yet with as many partitions as its `like` topic and the broker's
 * default replication factor (retry topics beside their source topic); returns the names it created.
 */
export async function ensureTopicsLike(target: AdminTarget, topics: readonly { readonly name: string; readonly like: string }[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const admin = adminOf(target);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return [];
    const metadata = await admin.metadata({ topics: [...new Set(missing.map((topic) => topic.like))] });
    const specs = missing.map(({ name, like }) => {
      const partitions = metadata.topics.get(like)?.partitionsCount;
      if (partitions === undefined) throw new SourceError(`cannot create ${name}: a source topic does not exist (check topics): ${like}`, { retryable: false });
      return { name, partitions, replicas: -1 };
    });
    return await createMissing(admin, existing, specs);
  } catch (error) {
    throw isOrchestronError(error) ? error : kafkaError(error, `create topics ${topics.map((topic) => topic.name).join(', ')}`);
  } finally {
    await admin.close().catch(() => {});
  }
}
