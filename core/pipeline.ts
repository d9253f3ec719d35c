import type { Stage } from './stage.ts';

/** Composes a source with stages; the result's type follows the chain. Nothing runs until it is iterated. */
export function pipeline<A>(source: AsyncIterable<A>): AsyncIterable<A>;
export function pipeline<A, B>(source: AsyncIterable<A>, s1: Stage<A, B>): AsyncIterable<B>;
export function pipeline<A, B, C>(source: AsyncIterable<A>, s1: Stage<A, B>, s2: Stage<B, C>): AsyncIterable<C>;
export function pipeline<A, B, C, D>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
): AsyncIterable<D>;
export function pipeline<A, B, C, D, E>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
): AsyncIterable<E>;
export function pipeline<A, B, C, D, E, F>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
): AsyncIterable<F>;
export function pipeline<A, B, C, D, E, F, G>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
  s6: Stage<F, G>,
): AsyncIterable<G>;
export function pipeline<A, B, C, D, E, F, G, H>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
  s6: Stage<F, G>,
  s7: Stage<G, H>,
): AsyncIterable<H>;
export function pipeline<A, B, C, D, E, F, G, H, I>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
  s6: Stage<F, G>,
  s7: Stage<G, H>,
  s8: Stage<H, I>,
): AsyncIterable<I>;
export function pipeline<A, B, C, D, E, F, G, H, I, J>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
  s6: Stage<F, G>,
  s7: Stage<G, H>,
  s8: Stage<H, I>,
  s9: Stage<I, J>,
): AsyncIterable<J>;
export function pipeline<A, B, C, D, E, F, G, H, I, J, K>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
  s6: Stage<F, G>,
  s7: Stage<G, H>,
  s8: Stage<H, I>,
  s9: Stage<I, J>,
  s10: Stage<J, K>,
): AsyncIterable<K>;
export function pipeline(source: AsyncIterable<unknown>, ...stages: Stage<unknown, unknown>[]): AsyncIterable<unknown>;
export function pipeline(source: AsyncIterable<unknown>, ...stages: Stage<unknown, unknown>[]): AsyncIterable<unknown> {
  return stages.reduce<AsyncIterable<unknown>>((input, stage) => stage(input), source);
}

/** Pulls a pipeline to its end; returns how many items came out. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of iterable) count++;
  return count;
}
