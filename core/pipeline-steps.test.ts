import { describe, expect, it } from 'vitest';
import { drain, pipeline } from './pipeline.ts';
import type { Stage } from './stage.ts';

async function* numbers(...values: number[]): AsyncIterable<number> {
  yield* values;
}

const double: Stage<number, number> = async function* (input) {
  for await (const n of input) yield n * 2;
};
const label: Stage<number, string> = async function* (input) {
  for await (const n of input) yield `#${n}`;
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('pipeline: stages left out', () => {
  it('passes items through a stage given as undefined, unchanged', async () => {
    const leftOut = false as boolean;
    const out = pipeline(numbers(1, 2, 3), leftOut ? double : undefined, label, undefined);
    expect(await collect(out)).toEqual(['#1', '#2', '#3']);
  });

  it('runs a stage given conditionally when it is there', async () => {
    const included = true as boolean;
    expect(await collect(pipeline(numbers(1, 2), included ? double : undefined, label))).toEqual(['#2', '#4']);
  });

  it('still infers each stage input and the output type across stages left out', async () => {
    const maybe = (on: boolean) => (on ? double : undefined);
    const out = pipeline(numbers(4), maybe(false), maybe(true), label);
    const labels: AsyncIterable<string> = out;
    // @ts-expect-error the output is the last stage's, strings
    const numbers_: AsyncIterable<number> = out;
    expect(numbers_).toBe(labels);
    expect(await collect(out)).toEqual(['#8']);
    // @ts-expect-error a stage changing the type cannot be left out: its output would not be what the next stage reads
    pipeline(numbers(1), Math.random() > 2 ? label : undefined, double);
    // @ts-expect-error the next stage reads what the previous one wrote
    pipeline(numbers(1), label, double);
  });

  it('with only stages left out, yields the source', async () => {
    expect(await drain(pipeline(numbers(1, 2, 3), undefined, undefined))).toBe(3);
  });
});
