/**
 * How long a forced close is waited for. A client can still be waiting on an answer the broker holds back (a JoinGroup
 * during a rebalance, up to the rebalance timeout); a fenced or stopping worker must not wait for it.
 */
export const forcedCloseGraceMs = 1_000;

export type CloseOutcome = 'closed' | 'forced' | 'abandoned';

/**
 * Runs `graceful`; if it has not finished after `deadlineMs`, runs `forced` and waits for that at most `graceMs`.
 * Settles by `deadlineMs + graceMs` whatever the clients do: `abandoned` means a client was still closing then. A
 * graceful close that fails before the deadline rejects with its error.
 */
export async function closeWithin(
  graceful: () => Promise<unknown>,
  forced: () => Promise<unknown>,
  deadlineMs: number,
  graceMs = forcedCloseGraceMs,
): Promise<CloseOutcome> {
  const timers: ReturnType<typeof setTimeout>[] = [];
  const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => timers.push(setTimeout(() => resolve(value), ms)));
  try {
    // A graceful close failing after the deadline is moot (the race has handled it); before it, the race rejects.
    const first = await Promise.race([graceful().then(() => 'closed' as const), after(deadlineMs, 'late' as const)]);
    if (first === 'closed') return first;
    const settled = Promise.allSettled([forced()]).then(() => 'forced' as const);
    return await Promise.race([settled, after(graceMs, 'abandoned' as const)]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
