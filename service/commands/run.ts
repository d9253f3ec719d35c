import { ConfigError, messageOf } from '../../core/index.ts';
import { loadConfig } from '../config/load.ts';
import type { Host, Server, Signal } from '../host.ts';
import { healthApp } from '../http/app.ts';
import { listenError } from '../http/listen-error.ts';
import { createLogger } from '../logging.ts';
import { prometheusMetrics } from '../metrics/prometheus.ts';
import { startService } from '../pipeline/service.ts';
import { mountConsole } from '../console/mount.ts';
import { runningStatus } from '../console/status.ts';
import type { Service } from '../pipeline/service.ts';

/**
 * Runs until SIGTERM/SIGINT: the first signal drains (the batch in flight commits or aborts, clients close within
 * shutdown.deadlineMs) and resolves 0, or 1 when the deadline forced the close; a second signal exits at once with 130.
 */
export async function runCommand(host: Host, file: string): Promise<number> {
  const loaded = await loadConfig(file, host.env);
  const { config } = loaded;
  const logger = createLogger(config.log.level, { runtime: host.runtime });

  // Signals are handled from the start: one caught before this point ends the run here; one that arrives while the
  // service starts stops it once it is up, before it consumes anything.
  const started: { service?: Service } = {};
  let signals = 0;
  let forced = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const drain = () => {
    const running = started.service;
    if (!running || deadline) return;
    running.stop();
    deadline = setTimeout(() => {
      forced = true;
      logger.error({ deadlineMs: config.shutdown.deadlineMs }, 'drain deadline passed: closing clients now');
      void running.close(0);
    }, config.shutdown.deadlineMs);
  };
  const onSignal = (signal: Signal) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      host.exit(130);
      return;
    }
    logger.info({ signal, deadlineMs: config.shutdown.deadlineMs }, 'draining');
    drain();
  };
  host.onSignal('SIGTERM', () => onSignal('SIGTERM'));
  host.onSignal('SIGINT', () => onSignal('SIGINT'));

  const totals = { batches: 0, committed: 0, aborted: 0, records: 0 };
  // A signal caught while the modules and the config loaded (see service/signal-latch.ts): nothing consumed, nothing to drain.
  if (signals > 0) {
    logger.info({ ...totals, closeMs: 0, forced }, 'stopped');
    return 0;
  }

  const prometheus = prometheusMetrics();
  const service = await startService(loaded, { env: host.env, logger, metrics: prometheus.metrics });
  started.service = service;

  let server: Server | undefined;
  let mounted: { close(): Promise<void> } | undefined;
  if (config.http.enabled) {
    const app = healthApp({ readiness: service.readiness, scrape: prometheus.scrape });
    try {
      if (config.console.enabled) mounted = await mountConsole(app, loaded, logger, runningStatus(service.readiness, prometheus.registry));
      server = await host.serve(app.fetch, { host: config.http.host, port: config.http.port });
    } catch (error) {
      await mounted?.close();
      await service.close(config.shutdown.deadlineMs);
      throw listenError(error, config.http);
    }
  }
  logger.info(
    { url: server?.url, transport: config.transport, topics: config.topics, failureMode: config.failureMode, trackerStrategy: config.trackerStrategy, store: config.store },
    'listening',
  );
  if (signals > 0) drain();

  let failed: unknown;
  try {
    for await (const result of service.results) {
      totals.batches++;
      if (result.committed) {
        totals.committed++;
        totals.records += result.ok + Object.values(result.dropped).reduce((n, v) => n + v, 0);
      } else {
        totals.aborted++;
      }
    }
  } catch (error) {
    failed = error;
    logger.fatal({ error: messageOf(error), code: (error as { code?: string }).code }, 'pipeline failed');
  }
  const closing = Date.now();
  await service.close(Math.max(100, config.shutdown.deadlineMs - 1_000));
  await server?.close();
  await mounted?.close();
  clearTimeout(deadline);
  logger.info({ ...totals, closeMs: Date.now() - closing, forced }, 'stopped');
  // A setting found wrong only once connected (SASL against a plaintext listener) exits as bad configuration does.
  if (failed instanceof ConfigError) return 2;
  return failed !== undefined || forced ? 1 : 0;
}
