export interface Progress {
  readonly produced: number;
  readonly consumed: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One status line: produced, consumed, lag (produced − consumed) and the output rate since the previous line. */
export function progressLine(phase: string, now: Progress, before: Progress, seconds: number, elapsedS: number): string {
  const rate = seconds > 0 ? (now.consumed - before.consumed) / seconds : 0;
  return `[${phase} ${elapsedS.toFixed(0)}s] produced ${fmt(now.produced)}  consumed ${fmt(now.consumed)}  lag ${fmt(now.produced - now.consumed)}  rate ${fmt(rate)}/s`;
}

/** Rewrites one status line on stderr every second while a phase runs, when stderr is a terminal. */
export class LiveProgress {
  readonly #phase: string;
  readonly #read: () => Progress;
  readonly #stream: NodeJS.WriteStream;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(phase: string, read: () => Progress, stream: NodeJS.WriteStream = process.stderr) {
    this.#phase = phase;
    this.#read = read;
    this.#stream = stream;
  }

  start(): void {
    if (!this.#stream.isTTY) return;
    const started = performance.now();
    let before = this.#read();
    let at = started;
    this.#timer = setInterval(() => {
      const now = this.#read();
      const t = performance.now();
      this.#stream.write(`\r\x1b[2K${progressLine(this.#phase, now, before, (t - at) / 1000, (t - started) / 1000)}`);
      before = now;
      at = t;
    }, 1_000);
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write('\n');
  }
}
