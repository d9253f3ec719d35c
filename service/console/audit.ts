import { Producer, stringSerializer } from '@platformatic/kafka';
import type { Logger } from '../../core/index.ts';
import { ensureTopics } from '../../adapters/kafka/index.ts';
import type { KafkaAccess } from '../pipeline/kafka-access.ts';
import { clientBase } from '../pipeline/kafka-access.ts';
import { tailTopic } from './topic-tail.ts';
import type { TopicTail } from './topic-tail.ts';

/** One line of the audit trail: who did what, when. */
export interface AuditEntry {
  readonly at: string;
  readonly user: string;
  readonly action: 'replay-started' | 'replay-finished' | 'replay-failed';
  readonly job: string;
  readonly dlqTopic: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditTrail {
  readonly topic: string;
  record(entry: AuditEntry): Promise<void>;
  /** Newest first, as far as kept. */
  list(): readonly AuditEntry[];
  /** Calls `listener` with the entries kept (oldest first: earlier runs' too), then with each new one as it is read back. */
  follow(listener: (entry: AuditEntry) => void): void;
  close(): Promise<void>;
}

const kept = 500;
const decoder = new TextDecoder();

/** `<dlq>-audit`: the durable trail, one JSON record per entry (one partition, in order); every entry is logged too. */
export const auditTopicOf = (dlqTopic: string): string => `${dlqTopic}-audit`;

/** Writes entries to the audit topic and the log, and reads the topic back (entries of earlier runs included) for the pages. */
export async function openAuditTrail(access: KafkaAccess, dlqTopic: string, logger: Logger): Promise<AuditTrail> {
  const topic = auditTopicOf(dlqTopic);
  // With the console's credentials, and the broker's default replication: the trail is meant to last.
  await ensureTopics({ ...clientBase(access, 'orchestron-console-admin') }, [{ name: topic, partitions: 1, replicas: -1 }]);
  const entries: AuditEntry[] = [];
  const listeners: ((entry: AuditEntry) => void)[] = [];
  const seen = new Set<string>();
  const producer = new Producer({ ...clientBase(access, 'orchestron-console'), idempotent: true, serializers: { headerKey: stringSerializer } });
  const tail: TopicTail = tailTopic(
    access,
    topic,
    (message) => {
      const id = `${message.partition}-${message.offset}`;
      if (seen.has(id)) return;
      seen.add(id);
      let entry: AuditEntry;
      try {
        entry = JSON.parse(decoder.decode(message.value)) as AuditEntry;
      } catch {
        // Not ours: the topic is the console's, but someone may write to it.
        return;
      }
      entries.unshift(entry);
      if (entries.length > kept) entries.length = kept;
      for (const listener of listeners) listener(entry);
    },
    logger,
  );
  return {
    topic,
    async record(entry) {
      logger.info({ audit: entry }, `console ${entry.action}`);
      await producer.send({ messages: [{ topic, key: Buffer.from(entry.job), value: Buffer.from(JSON.stringify(entry)) }] });
    },
    list: () => entries,
    follow(listener) {
      for (const entry of [...entries].reverse()) listener(entry);
      listeners.push(listener);
    },
    async close() {
      await tail.close();
      await producer.close();
    },
  };
}
