import { findErrorBy } from '@platformatic/kafka';
import type { RetryDelayGetter } from '@platformatic/kafka';

/**
 * Short backoff for CONCURRENT_TRANSACTIONS. Right after a commit the coordinator is still writing the previous
 * transaction's markers and refuses the next one's first call (AddPartitionsToTxn, AddOffsetsToTxn, InitProducerId)
 * with this code for a few milliseconds; the client's ordinary retry delay (1 s by default) would stall the pipeline
 * that long. The delays double from `firstMs` up to `maxMs`; once they add up to `budgetMs` the ordinary delay applies
 * again, so a coordinator that stays busy is not asked hundreds of times.
 */
export const concurrentTransactionsBackoff = { firstMs: 5, maxMs: 100, budgetMs: 1_000 } as const;

/** True when the broker refused a call because the transaction is still being completed (CONCURRENT_TRANSACTIONS). */
export function isConcurrentTransactions(error: unknown): boolean {
  return error instanceof Error && findErrorBy(error, 'apiId', 'CONCURRENT_TRANSACTIONS') !== null;
}

/**
 * The short delay before retry number `attempt` (1 for the first retry) of a call refused with CONCURRENT_TRANSACTIONS,
 * or undefined once the short delays have used up their budget. The client counts a call's retries whatever their
 * error, so earlier retries are counted as short ones too: the budget can only end early, never late.
 */
export function concurrentTransactionsDelayMs(attempt: number, backoff = concurrentTransactionsBackoff): number | undefined {
  const delay = (n: number): number => Math.min(backoff.maxMs, backoff.firstMs * 2 ** (n - 1));
  let spent = 0;
  for (let n = 1; n < attempt; n++) spent += delay(n);
  const next = delay(Math.max(1, attempt));
  return spent + next <= backoff.budgetMs ? next : undefined;
}

/**
 * The client's `retryDelay`: the short backoff for CONCURRENT_TRANSACTIONS, `retryDelayMs` for every other retriable
 * error (a broker that is down, a leader moving), so those keep the pace the user chose.
 */
export function transactionalRetryDelay(retryDelayMs: number): RetryDelayGetter {
  return (_client, _operation, attempt, _retries, error) =>
    (isConcurrentTransactions(error) ? concurrentTransactionsDelayMs(attempt) : undefined) ?? retryDelayMs;
}
