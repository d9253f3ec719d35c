import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from './logger.ts';
import { RepeatedWarnings } from './repeated-warnings.ts';
import { ManualClock } from './testing/manual-clock.ts';

const recording = () => {
  const lines: { fields: LogFields; message: string }[] = [];
  const ignore = () => {};
  const logger: Logger = { debug: ignore, info: ignore, error: ignore, warn: (fields, message) => void lines.push({ fields, message }) };
  return { lines, logger };
};

describe('RepeatedWarnings', () => {
  it('logs the first warning at once and folds the repeats of an interval into one line with their count and records', async () => {
    const clock = new ManualClock();
    const { lines, logger } = recording();
    const warnings = new RepeatedWarnings(logger, clock, 10_000);
    for (let i = 0; i < 120; i++) {
      warnings.warn('tracker', { operation: 'received', records: 1, error: `down ${i}` }, 'tracker write skipped');
      await clock.advance(50);
    }
    // 6 s of warnings: the first line, then one more when the interval ends.
    expect(lines).toHaveLength(1);
    await clock.advance(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ fields: { operation: 'received', records: 1, error: 'down 0' }, message: 'tracker write skipped' });
    expect(lines[1]).toEqual({ fields: { operation: 'received', records: 119, error: 'down 119', repeated: 119 }, message: 'tracker write skipped (repeated)' });

    // A whole interval after the last line, the next one is logged at once again.
    await clock.advance(10_000);
    warnings.warn('tracker', { records: 3 }, 'tracker write skipped');
    expect(lines).toHaveLength(3);
  });

  it('keeps separate runs per key', async () => {
    const clock = new ManualClock();
    const { lines, logger } = recording();
    const warnings = new RepeatedWarnings(logger, clock, 1_000);
    warnings.warn('a', {}, 'a');
    warnings.warn('b', {}, 'b');
    warnings.warn('a', {}, 'a');
    expect(lines.map((l) => l.message)).toEqual(['a', 'b']);
    await clock.advance(1_000);
    expect(lines.map((l) => l.message)).toEqual(['a', 'b', 'a (repeated)']);
  });
});
