/** Every metric the core reports, in one place. Prometheus names; the seeds' `orch.*` names are noted beside them. */
export const MetricDefinitions = {
  recordsOk: {
    type: 'counter',
    name: 'orchestron_records_ok_total',
    help: 'Records processed and committed successfully (orch.records.ok).',
    labelNames: ['topic'],
  },
  recordsFailed: {
    type: 'counter',
    name: 'orchestron_records_failed_total',
    help: 'Records whose processing failed, by category.',
    labelNames: ['topic', 'category'],
  },
  recordsDeadLettered: {
    type: 'counter',
    name: 'orchestron_records_dead_lettered_total',
    help: 'Records sent to the dead-letter sink, by category.',
    labelNames: ['topic', 'category'],
  },
  recordsRetried: {
    type: 'counter',
    name: 'orchestron_records_retried_total',
    help: 'Records sent to a retry topic (non-blocking retries), by original topic and delay in ms.',
    labelNames: ['topic', 'delay'],
  },
  recordsFiltered: {
    type: 'counter',
    name: 'orchestron_records_filtered_total',
    help: 'Records a stage filtered out on purpose (a transform returning SKIP), committed, by topic.',
    labelNames: ['topic'],
  },
  recordsDropped: {
    type: 'counter',
    name: 'orchestron_records_dropped_total',
    help: 'Failed records committed past without a dead letter (the pipeline has no deadLetter stage), by category.',
    labelNames: ['topic', 'category'],
  },
  recordsDeduplicated: {
    type: 'counter',
    name: 'orchestron_records_deduplicated_total',
    help: 'Records dropped because their dedup key was already processed.',
    labelNames: ['topic'],
  },
  batchOk: {
    type: 'counter',
    name: 'orchestron_batch_ok_total',
    help: 'Batches committed (orch.batch.ok).',
    labelNames: [],
  },
  batchFailed: {
    type: 'counter',
    name: 'orchestron_batch_failed_total',
    help: 'Batches aborted and left for redelivery (atomic mode).',
    labelNames: [],
  },
  transformFail: {
    type: 'counter',
    name: 'orchestron_transform_fail_total',
    help: 'Failed transform attempts, retried or not (orch.transform.fail).',
    labelNames: ['category'],
  },
  transformRetries: {
    type: 'counter',
    name: 'orchestron_transform_retries_total',
    help: 'Transform attempts retried after a retryable failure.',
    labelNames: [],
  },
  transformDuration: {
    type: 'histogram',
    name: 'orchestron_transform_duration_seconds',
    help: 'Duration of one transform attempt.',
    labelNames: [],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  },
  endToEndLatency: {
    type: 'histogram',
    name: 'orchestron_end_to_end_latency_seconds',
    help: 'Per committed batch: time from its oldest record entering the pipeline to the commit.',
    labelNames: [],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  },
  trackerSkipped: {
    type: 'counter',
    name: 'orchestron_tracker_skipped_total',
    help: 'Tracker writes skipped while the store was unavailable (skip-and-log mode).',
    labelNames: ['operation'],
  },
  breakerOpen: {
    type: 'gauge',
    name: 'orchestron_breaker_open',
    help: 'Whether a circuit breaker is open (orch.db.circuit.open).',
    labelNames: ['breaker'],
  },
  degraded: {
    type: 'gauge',
    name: 'orchestron_degraded',
    help: 'Whether a store is degraded (orch.db.degraded).',
    labelNames: ['store'],
  },
  partitionBlocked: {
    type: 'gauge',
    name: 'orchestron_partition_blocked',
    help: 'Whether a source partition is stopped because its dead letters cannot be written (1), by reason.',
    labelNames: ['topic', 'partition', 'reason'],
  },
  partitionStalled: {
    type: 'gauge',
    name: 'orchestron_partition_stalled',
    help: 'Whether a source partition with records waiting has made no committed progress for the stall timeout (1).',
    labelNames: ['topic', 'partition'],
  },
  consumerLag: {
    type: 'gauge',
    name: 'orchestron_consumer_lag',
    help: "A source partition assigned to this instance: its last stable offset (read_committed) minus the group's committed offset.",
    labelNames: ['topic', 'partition'],
  },
  consumerTotalLag: {
    type: 'gauge',
    name: 'orchestron_consumer_total_lag',
    help: 'orchestron_consumer_lag summed over the source partitions assigned to this instance.',
    labelNames: [],
  },
} as const;

export type MetricKey = keyof typeof MetricDefinitions;
export type MetricDefinition = (typeof MetricDefinitions)[MetricKey];
