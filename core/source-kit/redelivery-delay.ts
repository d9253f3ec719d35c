import type { OrchestronError } from '../errors.ts';
import { BreakerOpenError } from '../errors.ts';

/** How long a source waits before delivering an aborted batch's records again: `atLeastMs`, longer when an open breaker asks for it. */
export const redeliveryDelayMs = (error: OrchestronError, atLeastMs = 0): number =>
  Math.max(atLeastMs, error instanceof BreakerOpenError ? error.retryAfterMs : 0);
