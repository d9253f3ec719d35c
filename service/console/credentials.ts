import { ConfigError } from '../../core/index.ts';
import type { Config } from '../config/schema.ts';
import { sameSecret } from './secret-compare.ts';

/** Who may use the console, from `console.token` and `console.basicAuth` (or their environment variables). */
export interface ConsoleCredentials {
  readonly token?: string;
  readonly basic?: { readonly username: string; readonly password: string };
}

/** The credentials a config gives the console; none is a ConfigError, the console is never open to all. */
export function consoleCredentials(config: Config): ConsoleCredentials {
  const { token, basicAuth } = config.console;
  if (!token && !basicAuth) {
    throw new ConfigError('console.token', 'the console needs console.token (CONSOLE_TOKEN) or console.basicAuth (CONSOLE_USERNAME and CONSOLE_PASSWORD)');
  }
  return { ...(token ? { token } : {}), ...(basicAuth ? { basic: { username: basicAuth.username, password: basicAuth.password } } : {}) };
}

/** The user a token or a username and password stand for, or undefined. Every comparison runs whatever matched. */
export async function authenticate(credentials: ConsoleCredentials, given: { token?: string; username?: string; password?: string }): Promise<string | undefined> {
  const tokenOk = credentials.token !== undefined && given.token !== undefined && (await sameSecret(given.token, credentials.token));
  const basic = credentials.basic;
  const userOk = basic !== undefined && given.username !== undefined && (await sameSecret(given.username, basic.username));
  const passwordOk = basic !== undefined && given.password !== undefined && (await sameSecret(given.password, basic.password));
  if (tokenOk) return 'token';
  if (basic && userOk && passwordOk) return basic.username;
  return undefined;
}

/** Every secret the process knows of, so that a page can be checked never to show one. */
export function secretsOf(config: Config): string[] {
  const secrets = [config.console.token, config.console.basicAuth?.password, config.kafka.sasl?.password];
  for (const value of Object.values(config as Record<string, unknown>)) {
    const url = (value as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string') {
      secrets.push(url);
      const password = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]+)@/i.exec(url)?.[1];
      if (password) secrets.push(password, decodeURIComponent(password));
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
}
