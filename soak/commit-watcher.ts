import { Admin } from '@platformatic/kafka';

export interface CommitSample {
  /** Milliseconds since the watcher started. */
  readonly t: number;
  /** Input records the group has committed, summed over the partitions. */
  readonly committed: number;
}

/**
 * Records per second between the moments `from` and `to` of `total` were committed: the steady state, without the
 * start (group join, JIT warm-up) or the tail. Undefined until both points were sampled.
 */
export function steadyRate(samples: readonly CommitSample[], total: number, from = 0.1, to = 0.9): number | undefined {
  const start = samples.find((s) => s.committed >= total * from);
  const end = samples.find((s) => s.committed >= total * to);
  if (!start || !end || end.t <= start.t) return undefined;
  return Math.round(((end.committed - start.committed) * 1000) / (end.t - start.t));
}

/**
 * Watches the consumer group of the process under test commit its input offsets, broker side (the offsets the
 * broker holds for the group, every `intervalMs`): its throughput, whatever the verifier's own speed. The input topic
 * is written without transactions, so its offsets count records exactly.
 */
export class CommitWatcher {
  readonly samples: CommitSample[] = [];
  readonly #admin: Admin;
  readonly #groupId: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #started = 0;

  constructor(brokers: readonly string[], groupId: string) {
    this.#admin = new Admin({ clientId: 'orchestron-soak-commits', bootstrapBrokers: [...brokers] });
    this.#groupId = groupId;
  }

  get committed(): number {
    return this.samples.at(-1)?.committed ?? 0;
  }

  start(intervalMs = 100): void {
    this.#started = performance.now();
    const tick = async () => {
      await this.#sample();
      if (!this.#stopped) this.#timer = setTimeout(tick, intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#admin.close().catch(() => {});
  }

  async #sample(): Promise<void> {
    const t = performance.now() - this.#started;
    try {
      const [group] = await this.#admin.listConsumerGroupOffsets({ groups: [this.#groupId] });
      let committed = 0;
      for (const topic of group?.topics ?? []) for (const p of topic.partitions) committed += Math.max(0, Number(p.committedOffset));
      this.samples.push({ t: Math.round(t), committed });
    } catch {
      // the broker is busy: the next sample will tell
    }
  }
}
