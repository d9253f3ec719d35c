import { Hono } from 'hono';
import { loadConfig } from '../config/load.ts';
import { consoleBase } from '../console/app.ts';
import { openConsole } from '../console/open.ts';
import type { Host } from '../host.ts';
import { listenError } from '../http/listen-error.ts';
import { createLogger } from '../logging.ts';

const closeGraceMs = 2_000;

/** Serves the operations console on its own (console.port, else http.port) until SIGTERM/SIGINT. */
export async function consoleCommand(host: Host, file: string): Promise<number> {
  const loaded = await loadConfig(file, host.env);
  const { config } = loaded;
  const logger = createLogger(config.log.level, { runtime: host.runtime });
  const opened = await openConsole(loaded, { logger });
  const root = new Hono();
  root.get('/', (c) => c.redirect(consoleBase, 302));
  root.get(`${consoleBase}/`, (c) => c.redirect(consoleBase, 301));
  root.route(consoleBase, opened.app);
  const port = config.console.port ?? config.http.port;
  let server;
  try {
    server = await host.serve(root.fetch, { host: config.http.host, port });
  } catch (error) {
    await opened.close();
    throw listenError(error, { host: config.http.host, port });
  }
  logger.info({ url: `${server.url}${consoleBase}`, dlqTopic: opened.dlqTopic }, 'console listening');
  await new Promise<void>((resolve) => {
    host.onSignal('SIGTERM', resolve);
    host.onSignal('SIGINT', resolve);
  });
  // A browser may keep a connection open: the console does not wait for it long.
  await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, closeGraceMs))]);
  await opened.close();
  logger.info({}, 'console stopped');
  return 0;
}
