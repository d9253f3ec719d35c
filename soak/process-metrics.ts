/**
 * Resident memory and event-loop delay of the process under test, scraped from its /metrics (prom-client defaults),
 * and its consumer lag on the input topic (`orchestron_consumer_lag`).
 */
import { reportedLagSamples } from './lag-sampler.ts';
import type { ReportedLagSample } from './lag-sampler.ts';

export interface ProcessSample {
  /** Seconds since the sampler started. */
  readonly t: number;
  /** Records the verifier had seen by then. */
  readonly consumed: number;
  readonly produced: number;
  readonly rssMb: number | undefined;
  /** p99 of the event-loop delay since the previous scrape (prom-client resets its histogram on every scrape). */
  readonly loopP99Ms: number | undefined;
  /** CPU time (user + system) the process used since it started. */
  readonly cpuSeconds?: number | undefined;
}

export interface ProcessFigures {
  readonly peakRssMb: number | undefined;
  /** RSS at the end against RSS once `warmupFraction` of the records were through, in %. */
  readonly rssGrowthPct: number | undefined;
  readonly rssAfterWarmupMb: number | undefined;
  readonly rssAtEndMb: number | undefined;
  /** Highest per-scrape p99 after warm-up. */
  readonly loopP99Ms: number | undefined;
  readonly loopP99MedianMs: number | undefined;
  /** CPU microseconds per record: CPU time from the first scrape to the last, over the records consumed meanwhile. */
  readonly cpuUsPerRecord: number | undefined;
}

/** Unlabelled samples of a Prometheus text exposition, by metric name. */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) values.set(match[1] as string, value);
  }
  return values;
}

/** The sum of every labelled sample of `name` (a counter by topic, say); undefined when it has none. */
export function sumOfMetric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** How often the process under test is scraped; it measures its consumer lag as often (pipeline-config.ts). */
export const scrapeIntervalMs = 1_000;

/** Records the process filtered out on purpose, by its own count. */
export const FILTERED_METRIC = 'orchestron_records_filtered_total';

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round2 = (n: number): number => Math.round(n * 100) / 100;

export function processFigures(unordered: readonly ProcessSample[], expected: number, warmupFraction = 0.25): ProcessFigures {
  const samples = [...unordered].sort((a, b) => a.t - b.t);
  const rss = samples.filter((s) => s.rssMb !== undefined);
  const warm = rss.find((s) => s.consumed >= expected * warmupFraction);
  const end = rss.at(-1);
  const afterWarmup = warm ? samples.filter((s) => s.t >= warm.t) : [];
  const loops = afterWarmup.map((s) => s.loopP99Ms).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const cpu = samples.filter((s) => s.cpuSeconds !== undefined);
  const first = cpu[0];
  const last = cpu.at(-1);
  const cpuRecords = first && last ? last.consumed - first.consumed : 0;
  const peak = rss.reduce<number | undefined>((max, s) => Math.max(max ?? 0, s.rssMb as number), undefined);
  return {
    peakRssMb: peak === undefined ? undefined : round1(peak),
    rssAfterWarmupMb: warm?.rssMb === undefined ? undefined : round1(warm.rssMb),
    rssAtEndMb: end?.rssMb === undefined ? undefined : round1(end.rssMb),
    rssGrowthPct: warm?.rssMb && end?.rssMb && end !== warm ? round1(((end.rssMb - warm.rssMb) / warm.rssMb) * 100) : undefined,
    loopP99Ms: loops.length > 0 ? round2(loops.at(-1) as number) : undefined,
    loopP99MedianMs: loops.length > 0 ? round2(loops[Math.floor(loops.length / 2)] as number) : undefined,
    cpuUsPerRecord: first && last && cpuRecords > 0 ? round2((((last.cpuSeconds as number) - (first.cpuSeconds as number)) * 1e6) / cpuRecords) : undefined,
  };
}

/** Scrapes `url`/metrics every `intervalMs` until stopped; a failed scrape leaves a sample without figures. */
export class MetricsSampler {
  readonly samples: ProcessSample[] = [];
  /** The process's count of records filtered out on purpose, at the last scrape that had it. */
  filtered = 0;
  /** The lag per partition of `lagTopic` the process reported, scrape by scrape (none from a process without the metric). */
  readonly lag: ReportedLagSample[] = [];
  readonly #url: string;
  readonly #progress: () => { consumed: number; produced: number };
  readonly #lagTopic: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #started = 0;

  constructor(url: string, progress: () => { consumed: number; produced: number }, lagTopic?: string) {
    this.#url = url;
    this.#progress = progress;
    this.#lagTopic = lagTopic;
  }

  start(intervalMs = scrapeIntervalMs): void {
    this.#started = performance.now();
    void this.scrape();
    this.#timer = setInterval(() => void this.scrape(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async scrape(): Promise<void> {
    const ms = performance.now() - this.#started;
    const t = Math.round(ms) / 1000;
    const progress = this.#progress();
    let values = new Map<string, number>();
    try {
      const response = await fetch(`${this.#url}/metrics`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        const text = await response.text();
        values = parsePrometheus(text);
        this.filtered = sumOfMetric(text, FILTERED_METRIC) ?? this.filtered;
        if (this.#lagTopic !== undefined) this.lag.push(...reportedLagSamples(ms, this.#lagTopic, text));
      }
    } catch {
      // the process is busy or gone: the sample stays empty
    }
    const rss = values.get('process_resident_memory_bytes');
    const loop = values.get('nodejs_eventloop_lag_p99_seconds');
    const cpu = values.get('process_cpu_seconds_total');
    this.samples.push({
      t,
      ...progress,
      rssMb: rss === undefined ? undefined : rss / 2 ** 20,
      loopP99Ms: loop === undefined ? undefined : loop * 1000,
      cpuSeconds: cpu,
    });
  }
}
