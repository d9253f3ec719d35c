import type { Hono } from 'hono';
import type { Logger } from '../../core/index.ts';
import type { LoadedConfig } from '../config/load.ts';
import { consoleBase } from './app.ts';
import { openConsole } from './open.ts';
import type { StatusSource } from './status.ts';

/** `run` with console.enabled: the console under `/console` of the service's own HTTP app, over its readiness and metrics. */
export async function mountConsole(app: Hono, loaded: LoadedConfig, logger: Logger, status: StatusSource): Promise<{ close(): Promise<void> }> {
  const opened = await openConsole(loaded, { logger, status });
  app.get(`${consoleBase}/`, (c) => c.redirect(consoleBase, 301));
  app.route(consoleBase, opened.app);
  logger.info({ path: consoleBase, dlqTopic: opened.dlqTopic }, 'console mounted');
  return opened;
}
