import { ConfigError, noopTracer } from '../../core/index.ts';
import type { Config } from '../config/schema.ts';
import type * as OtelSdk from './otel-sdk.ts';
import type { Tracing } from './otel-sdk.ts';

/** The packages `tracing.enabled` needs: optional peer dependencies, installed by those who trace. */
export const TracingPackages = ['@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources'] as const;

const off: Tracing = { tracer: noopTracer, shutdown: async () => {} };

const missingPackage = (error: unknown): boolean => {
  const code = (error as { code?: string }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/** The service's tracer: off (nothing of OpenTelemetry is loaded) unless `tracing.enabled`. */
export async function startTracing(config: Config['tracing']): Promise<Tracing> {
  if (!config.enabled) return off;
  let sdk: typeof OtelSdk;
  try {
    sdk = await import('./otel-sdk.ts');
  } catch (error) {
    if (!missingPackage(error)) throw error;
    throw new ConfigError('tracing.enabled', `needs the OpenTelemetry packages: npm install ${TracingPackages.join(' ')} (${(error as Error).message.split('\n')[0]})`);
  }
  return sdk.startOpenTelemetry({ serviceName: config.serviceName, samplingRatio: config.samplingRatio });
}
