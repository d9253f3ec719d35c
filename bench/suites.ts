import {
  MemoryBroker,
  MemoryDedupStore,
  MemoryTracker,
  ProcessingError,
  commit,
  deadLetter,
  decode,
  dedup,
  json,
  memorySink,
  memorySource,
  pipeline,
  produce,
  track,
  transform,
} from '../core/index.ts';
import type { Envelope, FailureMode, TrackerStrategy } from '../core/index.ts';
import { batchOf, batchSize, context, last, once, rawRecords, seededBroker } from './fixtures.ts';

/** One benchmark: `run` processes `records` records per call. */
export interface Suite {
  readonly name: string;
  readonly records: number;
  readonly run: () => Promise<void>;
}

export interface PipelineOptions {
  readonly records: number;
  readonly failureMode: FailureMode;
  readonly trackerStrategy?: TrackerStrategy;
  /**
   * The chaos suite's poison scenario in memory: the transform throws for orders marked to fail, and the input is
   * clean or has 2 % bad records (`poison` in fixtures.ts). Both variants run the same stages, so their ratio is the
   * pipeline's own cost of bad records, without Kafka or a store; bench/poison.ts measures it in alternating rounds.
   */
  readonly poison?: 'clean' | 'poisoned';
}

type Order = { readonly orderId: string; readonly fail?: boolean };

const throwing = (order: Order): Order => {
  if (order.fail) throw new ProcessingError(`order ${order.orderId} cannot be processed`, { retryable: false });
  return order;
};

const suiteName = ({ failureMode, trackerStrategy = 'NONE', poison }: PipelineOptions): string =>
  `pipeline in-memory ${failureMode}${trackerStrategy === 'NONE' ? '' : ` tracker ${trackerStrategy}`}` +
  (poison === undefined ? '' : poison === 'clean' ? ', poison scenario, clean input' : ', poison scenario, 2 % bad records');

/** The whole in-memory pipeline over `records` records: decode → dedup → transform → produce → deadLetter → track → commit. */
export function inMemoryPipeline(options: PipelineOptions): Suite {
  const { records, failureMode, trackerStrategy = 'NONE', poison } = options;
  const poisoned = poison === 'poisoned';
  let broker: MemoryBroker = seededBroker(records, poisoned);
  let group = 0;
  return {
    name: suiteName(options),
    records,
    run: async () => {
      const ctx = context(failureMode);
      const sink = memorySink(broker);
      const tracking = track(new MemoryTracker(), { strategy: trackerStrategy });
      const run = pipeline(
        memorySource(broker, { topics: ['orders'], group: `g${group++}`, context: ctx, batchSize, stopWhenIdle: true }),
        tracking.received,
        decode(json<Order>()),
        dedup(new MemoryDedupStore(), { key: (r) => r.value.orderId, ttlMs: 60_000 }),
        transform(poison === undefined ? (order: Order) => order : throwing, { concurrency: 16, orderBy: 'key' }),
        produce(sink, { topic: 'out' }),
        deadLetter(sink),
        tracking,
        commit(),
      );
      for await (const _ of run);
      if (group % 20 === 0) broker = seededBroker(records, poisoned);
    },
  };
}

export function stageSuites(): Suite[] {
  const ctx = context();
  const raw = rawRecords();
  const decoded: Envelope<{ orderId: string }>[] = raw.map((r) => ({ ...r, value: JSON.parse(new TextDecoder().decode(r.raw ?? new Uint8Array())) }));
  const decodeStage = decode(json<{ orderId: string }>());
  const transformStage = transform((order: { orderId: string }) => order, { concurrency: 16, orderBy: 'key' });
  const asyncTransformStage = transform(async (order: { orderId: string }) => order, { concurrency: 16, orderBy: 'key' });
  const sinkBroker = new MemoryBroker({ defaultPartitions: 6 });
  const produceStage = produce<{ orderId: string }>(memorySink(sinkBroker), { topic: 'out' });
  const tracker = new MemoryTracker();
  const trackStage = track<{ orderId: string }>(tracker, { strategy: 'OUTBOX' });
  let dedupRound = 0;

  return [
    { name: 'stage decode json (1 KB)', records: batchSize, run: async () => void (await last(decodeStage(once(batchOf(raw, ctx))))) },
    {
      name: 'stage dedup memory',
      records: batchSize,
      run: async () => {
        const store = new MemoryDedupStore();
        const round = dedupRound++;
        const stage = dedup<{ orderId: string }>(store, { key: (r) => `${round}-${r.value.orderId}`, ttlMs: 60_000 });
        await last(stage(once(batchOf(decoded, ctx))));
      },
    },
    { name: 'stage transform sync no-op', records: batchSize, run: async () => void (await last(transformStage(once(batchOf(decoded, ctx))))) },
    { name: 'stage transform async no-op', records: batchSize, run: async () => void (await last(asyncTransformStage(once(batchOf(decoded, ctx))))) },
    {
      name: 'stage produce memory sink',
      records: batchSize,
      run: async () => void (await last(produceStage(once(batchOf(decoded, ctx))))),
    },
    {
      name: 'stage track OUTBOX memory',
      records: batchSize,
      run: async () => void (await last(trackStage(trackStage.received(once(batchOf(decoded, ctx)))))),
    },
  ];
}

export function pipelineSuites(): Suite[] {
  return [
    inMemoryPipeline({ records: 10_000, failureMode: 'skip-and-log' }),
    inMemoryPipeline({ records: 10_000, failureMode: 'atomic' }),
    inMemoryPipeline({ records: 10_000, failureMode: 'skip-and-log', trackerStrategy: 'OUTBOX' }),
  ];
}
