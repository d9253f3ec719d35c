import pino from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { Logger } from '../core/index.ts';

export type ServiceLogger = Logger & Pick<PinoLogger, 'level' | 'fatal' | 'flush'>;

/** Fields that may hold secrets; pino replaces their values wherever they appear in a log line. */
export const redactedPaths = ['password', '*.password', '*.*.password', 'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers["x-api-key"]'];

/**
 * JSON lines on stdout (or appended to the file `destination`), written synchronously so nothing is lost when the
 * process exits right after.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination: 1 | 2 | string = 1): ServiceLogger {
  return pino(
    {
      level,
      base: { pid: process.pid, ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths, censor: '***' },
    },
    pino.destination({ dest: destination, sync: true, ...(typeof destination === 'string' ? { mkdir: true, append: true } : {}) }),
  ) as unknown as ServiceLogger;
}
