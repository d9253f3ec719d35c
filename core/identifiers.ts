import { shownValue } from './checks.ts';
import { ConfigError } from './errors.ts';

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const keyPrefix = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A table, collection or schema name safe to put in a query: letters, digits and underscores, 63 at most. */
export function checkIdentifier(field: string, value: string): string {
  if (typeof value !== 'string' || !identifier.test(value)) {
    throw new ConfigError(
      field,
      `must start with a letter or underscore and hold only letters, digits and underscores (63 at most); got ${shownValue(value)}`,
    );
  }
  return value;
}

/** A key prefix (Redis): letters, digits and `_ . : -`, 64 at most. */
export function checkKeyPrefix(field: string, value: string): string {
  if (typeof value !== 'string' || !keyPrefix.test(value)) {
    throw new ConfigError(field, `must hold only letters, digits and _ . : - (64 at most); got ${shownValue(value)}`);
  }
  return value;
}

/** A connection URL fit for logs and errors: the password (and a user's token) replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const name of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(name)) parsed.searchParams.set(name, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/([^\s:/@]*):[^\s@/]*@/g, '$1:***@');
  }
}
