import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RejectReasons } from './app.ts';
import type { ApiMetrics, RejectReason } from './app.ts';
import type { RelayFailure, RelayMetrics } from './relay.ts';

/**
 * The hub's Prometheus metrics, in a registry of its own (so several hubs can live in one process, as in the tests).
 * The backlog gauge is read from the outbox on every scrape.
 */
export class HubMetrics implements ApiMetrics, RelayMetrics {
  readonly registry = new Registry();
  readonly #ingested: Counter<'api_key'>;
  readonly #rejected: Counter<'reason'>;
  readonly #published: Counter;
  readonly #failures: Counter<'outcome'>;
  readonly #latency: Histogram;

  constructor(backlog: () => Promise<number>) {
    const registers = [this.registry];
    this.#ingested = new Counter({
      name: 'webhook_hub_events_ingested_total',
      help: 'Events accepted (202): stored with their outbox row.',
      labelNames: ['api_key'],
      registers,
    });
    this.#rejected = new Counter({
      name: 'webhook_hub_events_rejected_total',
      help: 'Requests to POST /events turned away, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.#published = new Counter({ name: 'webhook_hub_relay_published_total', help: 'Outbox rows published to Kafka and marked.', registers });
    this.#failures = new Counter({
      name: 'webhook_hub_relay_failures_total',
      help: 'Outbox rows whose publish failed: retry (attempt used, retried later), dead_lettered (moved to the dead-letter table), broker_unavailable (no attempt used).',
      labelNames: ['outcome'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'webhook_hub_relay_publish_latency_seconds',
      help: 'Time from an event being accepted to its publication.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    new Gauge({
      name: 'webhook_hub_outbox_backlog',
      help: 'Outbox rows not yet published.',
      registers,
      async collect() {
        // While the database is unreachable the gauge keeps its last value; /health reports the outage.
        await backlog().then((rows) => this.set(rows), () => {});
      },
    });
    for (const reason of RejectReasons) this.#rejected.inc({ reason }, 0);
    for (const outcome of ['retry', 'dead_lettered', 'broker_unavailable'] as const) this.#failures.inc({ outcome }, 0);
  }

  ingested(apiKey: string): void {
    this.#ingested.inc({ api_key: apiKey });
  }

  rejected(reason: RejectReason): void {
    this.#rejected.inc({ reason });
  }

  published(latenciesSeconds: readonly number[]): void {
    if (latenciesSeconds.length === 0) return;
    this.#published.inc(latenciesSeconds.length);
    for (const seconds of latenciesSeconds) this.#latency.observe(seconds);
  }

  failed(outcome: RelayFailure, rows: number): void {
    if (rows > 0) this.#failures.inc({ outcome }, rows);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
