import type { Stage } from './stage.ts';

/**
 * A stage of a pipeline, or `undefined` for one left out: the items pass it unchanged, so a stage may be left out only
 * where its output type is its input type (`config.outputTopic ? produce(...) : undefined`).
 */
export type PipelineStep<In, Out> = Stage<In, Out> | ([In] extends [Out] ? undefined : never);

/** Composes a source with stages, skipping those left out (`undefined`); the result's type follows the chain. Nothing runs until it is iterated. */
export function pipeline<A>(source: AsyncIterable<A>): AsyncIterable<A>;
export function pipeline<A, B>(source: AsyncIterable<A>, s1: PipelineStep<A, B>): AsyncIterable<B>;
export function pipeline<A, B, C>(source: AsyncIterable<A>, s1: PipelineStep<A, B>, s2: PipelineStep<B, C>): AsyncIterable<C>;
export function pipeline<A, B, C, D>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
): AsyncIterable<D>;
export function pipeline<A, B, C, D, E>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
): AsyncIterable<E>;
export function pipeline<A, B, C, D, E, F>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
): AsyncIterable<F>;
export function pipeline<A, B, C, D, E, F, G>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
): AsyncIterable<G>;
export function pipeline<A, B, C, D, E, F, G, H>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
): AsyncIterable<H>;
export function pipeline<A, B, C, D, E, F, G, H, I>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
  s8: PipelineStep<H, I>,
): AsyncIterable<I>;
export function pipeline<A, B, C, D, E, F, G, H, I, J>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
  s8: PipelineStep<H, I>,
  s9: PipelineStep<I, J>,
): AsyncIterable<J>;
export function pipeline<A, B, C, D, E, F, G, H, I, J, K>(
  source: AsyncIterable<A>,
  s1: PipelineStep<A, B>,
  s2: PipelineStep<B, C>,
  s3: PipelineStep<C, D>,
  s4: PipelineStep<D, E>,
  s5: PipelineStep<E, F>,
  s6: PipelineStep<F, G>,
  s7: PipelineStep<G, H>,
  s8: PipelineStep<H, I>,
  s9: PipelineStep<I, J>,
  s10: PipelineStep<J, K>,
): AsyncIterable<K>;
export function pipeline(source: AsyncIterable<unknown>, ...stages: (Stage<unknown, unknown> | undefined)[]): AsyncIterable<unknown>;
export function pipeline(source: AsyncIterable<unknown>, ...stages: (Stage<unknown, unknown> | undefined)[]): AsyncIterable<unknown> {
  return stages.reduce<AsyncIterable<unknown>>((input, stage) => (stage ? stage(input) : input), source);
}

/** Pulls a pipeline to its end; returns how many items came out. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of iterable) count++;
  return count;
}
