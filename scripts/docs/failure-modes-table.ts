import type { FailureAction, FailurePolicy } from '../../core/index.ts';
import { FailureModes, ProcessingError, RecordRefusedError, SinkError, ValidationError, envelope, pipelineContext } from '../../core/index.ts';

/** Where the generated table sits in docs/failure-modes.md; the rest of the page is written by hand. */
export const tableStart = '<!-- The table below is generated from core/failure-policy.ts by `npm run docs:failure-modes`; do not edit it by hand. -->';
export const tableEnd = '<!-- End of the generated table. -->';

const failsBatch = 'the batch fails: nothing commits, its records come again (`attempts` + 1)';
const orFailsBatch = (otherwise: string) => (action: FailureAction) => (action === 'fail-batch' ? failsBatch : otherwise);
const record = (attempts: number) => envelope({ topic: 'in', partition: 0, offset: 0n, value: null, attempts }, 0);

interface Row {
  readonly when: string;
  readonly outcome: (policy: FailurePolicy) => string;
}

/** Each row asks the policy one question, with a record or an error standing for the case. */
const rows: readonly Row[] = [
  {
    when: 'a record fails with a retryable error (`PROCESSING_ERROR`, `TIMEOUT_ERROR`), after its stage\'s retries',
    outcome: (p) => orFailsBatch('the record is dead-lettered; the rest of the batch goes on')(p.recordFailure(record(1), new ProcessingError('busy'))),
  },
  {
    when: '… and the record has been delivered `maxDeliveries` times (default 5)',
    outcome: (p) => orFailsBatch('the record is dead-lettered; the rest of the batch goes on')(p.recordFailure(record(p.maxDeliveries), new ProcessingError('busy'))),
  },
  {
    when: 'a record fails with a non-retryable error (`DESERIALIZATION_ERROR`, `VALIDATION_ERROR`)',
    outcome: (p) => orFailsBatch('the record is dead-lettered; the rest of the batch goes on')(p.recordFailure(record(1), new ValidationError('invalid'))),
  },
  {
    when: 'a send to the output fails with a retryable error, after the retries',
    outcome: (p) => orFailsBatch('the records are dead-lettered')(p.sendFailure([record(1), record(1)], new SinkError('down', { retryable: true }))),
  },
  {
    when: 'a send to the output fails with a non-retryable error',
    outcome: (p) => orFailsBatch('the records are dead-lettered; offsets move on')(p.sendFailure([record(1), record(1)], new SinkError('refused', { retryable: false }))),
  },
  {
    when: 'the output refuses a record for what it is, alone in its batch and delivered `maxDeliveries` times',
    outcome: (p) => orFailsBatch('the record is dead-lettered; the batch commits')(p.sendFailure([record(p.maxDeliveries)], new RecordRefusedError('refused'))),
  },
  {
    when: 'a dedup store or the tracker fails, or its breaker is open',
    outcome: (p) =>
      p.dependencyFailure === 'fail-batch'
        ? `${failsBatch}; while a breaker is open the source waits its remaining open time`
        : 'the call is skipped: records go on without dedup, a skipped tracker write is counted and logged',
  },
  {
    when: 'dead-letter sends and the tracker\'s final writes are awaited',
    outcome: (p) => (p.sideEffects === 'in-stage' ? 'in their stage, before the batch moves on' : 'just before the batch\'s offsets commit; the next stages and batches run meanwhile'),
  },
  {
    when: 'output, dead letters and offsets',
    outcome: (p) =>
      p.transactional
        ? 'commit together, in one Kafka transaction (staged with the batch in memory)'
        : 'output and dead letters are written when sent; offsets commit once they are acknowledged and the tracker rows written',
  },
  {
    when: 'while a batch commits',
    outcome: (p) =>
      p.pipelining === 'transaction'
        ? 'the next batches join its transaction (Kafka), which commits once per `commitIntervalMs`'
        : 'its commit runs while the next batches are processed',
  },
  {
    when: 'the pipeline stops while records of a batch wait for a retry\'s backoff',
    outcome: (p) =>
      p.stopWhileRetrying === 'commit-finished'
        ? 'the waits end; each partition commits up to its first unfinished record, and the records from there on are delivered again'
        : 'the batch drains: its backoffs run out and it commits whole',
  },
  {
    when: 'retry topics (`retryTopics`, see [retries.md](retries.md))',
    outcome: (p) =>
      p.retryTopics
        ? 'a record failing with a retryable error waits in a delay topic, then goes through the transform again'
        : 'not available: a configuration error',
  },
];

/** The table of what each failure mode decides, as the policies of core/failure-policy.ts answer. */
export function failureModesTable(): string {
  const policies = FailureModes.map((failureMode) => pipelineContext({ failureMode }).failurePolicy);
  return [
    `| when | ${policies.map((p) => `\`${p.mode}\``).join(' | ')} |`,
    `| --- | ${policies.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.when} | ${policies.map(row.outcome).join(' | ')} |`),
  ].join('\n');
}

/** `page` (docs/failure-modes.md) with its generated table replaced by the current one. */
export function withFailureModesTable(page: string): string {
  const start = page.indexOf(tableStart);
  const end = page.indexOf(tableEnd);
  if (start < 0 || end < start) throw new Error('docs/failure-modes.md has lost the markers of its generated table');
  return `${page.slice(0, start + tableStart.length)}\n${failureModesTable()}\n${page.slice(end)}`;
}
