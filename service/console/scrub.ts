/**
 * A known secret (console token or password, SASL password, a store URL or its password) replaced by `***` in a text
 * the console shows that comes from elsewhere: a dead letter's headers and error, an error message, a readiness check.
 * The pages' own words are never touched (a password may be an ordinary word).
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const secret of sorted) if (result.includes(secret)) result = result.split(secret).join('***');
    return result;
  };
}
