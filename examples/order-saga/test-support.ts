// Helpers for the saga's integration tests: a join state of either kind under fresh names, removed afterwards.
import { dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import { deletePrefix, freshPrefix } from '../../adapters/redis/testing.ts';
import type { StateStoreKind } from './join-state.ts';
import type { SagaOptions } from './settings.ts';

export interface FreshState {
  readonly options: Pick<SagaOptions, 'stateStore' | 'stateTable' | 'redisKeyPrefix'>;
  cleanup(): Promise<void>;
}

export function freshState(kind: StateStoreKind): FreshState {
  if (kind === 'postgres') {
    const table = uniqueName('order_saga');
    return { options: { stateStore: kind, stateTable: table }, cleanup: () => dropTables([table]) };
  }
  const prefix = freshPrefix('saga');
  return { options: { stateStore: kind, redisKeyPrefix: prefix }, cleanup: async () => void (await deletePrefix(prefix)) };
}

/** Polls `check` until it returns something other than undefined; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
