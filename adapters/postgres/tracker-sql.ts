import { qualified } from './sql.ts';

const columns = `dedup_key, topic, partition, "offset", status, attempts, category, error_message, payload, created_at, updated_at`;

/**
 * The tracker's statements for one table. A batch travels as parallel arrays expanded by unnest, so a batch of any size
 * is one statement and one round trip: $1 keys, $2 topics, $3 partitions, $4 offsets, $5 attempts, $6 payloads.
 * Columns a whole batch shares (topic, partition, attempts, a failure's category and message) may come as a one-element
 * array: unnests in one select list run in step and pad shorter arrays with NULLs, which COALESCE fills from the first
 * element. $6 is NULL without payloads. In the select list (not `FROM unnest(…)`, which stores each array's rows before
 * joining them) the arrays are read as they go: measured about 9 % faster for a pre-insert of 500 rows.
 */
export function trackerStatements(schema: string, table: string) {
  const t = qualified(schema, table);
  const insert = `INSERT INTO ${t} AS r (dedup_key, topic, partition, "offset", status, attempts, category, error_message, payload, created_at, updated_at)`;
  const select = (status: string, category: string, message: string, failure = false) => `
      SELECT k, COALESCE(tp, ($2::text[])[1]), COALESCE(p, ($3::int4[])[1]), o, '${status}', COALESCE(a, ($5::int4[])[1]),
        ${category}, ${message}, b, $7::timestamptz, $7::timestamptz
      FROM (SELECT unnest($1::text[]) AS k, unnest($2::text[]) AS tp, unnest($3::int4[]) AS p, unnest($4::int8[]) AS o,
        unnest($5::int4[]) AS a, unnest($6::bytea[]) AS b${failure ? ', unnest($8::text[]) AS c, unnest($9::text[]) AS m' : ''}) AS u`;
  const unlessSucceeded = (status: 'FAILED' | 'RETRYING') => `${insert}${select(status, 'COALESCE(c, ($8::text[])[1])', 'COALESCE(m, ($9::text[])[1])', true)}
      ON CONFLICT (dedup_key) DO UPDATE SET
        status = '${status}', attempts = GREATEST(r.attempts, EXCLUDED.attempts),
        category = EXCLUDED.category, error_message = EXCLUDED.error_message,
        payload = COALESCE(EXCLUDED.payload, r.payload), updated_at = EXCLUDED.updated_at
      WHERE r.status <> 'SUCCESS'`;
  return {
    /** $7 now. Fails with a unique violation on a key already there: the fast path, for batches that are all new. */
    receivedNew: `${insert}${select('RECEIVED', 'NULL', 'NULL')}`,
    /** $7 now. Existing rows are left alone: duplicates are swallowed. */
    received: `${insert}${select('RECEIVED', 'NULL', 'NULL')}
      ON CONFLICT (dedup_key) DO NOTHING`,
    /** $7 now. SUCCESS from any status; attempts only grow; the row keeps the payload it has. */
    succeeded: `${insert}${select('SUCCESS', 'NULL', 'NULL')}
      ON CONFLICT (dedup_key) DO UPDATE SET
        status = 'SUCCESS', attempts = GREATEST(r.attempts, EXCLUDED.attempts),
        category = NULL, error_message = NULL, updated_at = EXCLUDED.updated_at`,
    /** $7 now, $8 categories, $9 messages. FAILED unless already SUCCESS; a new payload replaces the old one. */
    failed: unlessSucceeded('FAILED'),
    /** The same with RETRYING: the record waits in a retry topic. */
    retrying: unlessSucceeded('RETRYING'),
    /**
     * $1 message, $2 now, $3 threshold, $4 TIMEOUT_ERROR. One conditional update: when sweeps race, a row another sweep already changed
     * no longer matches once its lock is released (READ COMMITTED re-checks the WHERE), so each row is swept once.
     */
    sweep: `UPDATE ${t} SET status = 'FAILED', category = $4, error_message = $1, updated_at = $2::timestamptz
      WHERE status = 'RECEIVED' AND updated_at <= $3::timestamptz`,
    /** $1 keys. A primary-key lookup per key, whatever the (possibly stale) statistics make of the table. */
    get: `SELECT r.* FROM unnest($1::text[]) AS u(k)
      CROSS JOIN LATERAL (SELECT ${columns} FROM ${t} WHERE dedup_key = u.k LIMIT 1) AS r`,
    countByStatus: `SELECT status, count(*) AS n FROM ${t} GROUP BY status`,
    /** $1 since, $2 until, $3 category, $4 limit; NULL means no bound. */
    failures: `SELECT ${columns} FROM ${t}
      WHERE status = 'FAILED'
        AND ($1::timestamptz IS NULL OR updated_at >= $1)
        AND ($2::timestamptz IS NULL OR updated_at < $2)
        AND ($3::text IS NULL OR category = $3)
      ORDER BY updated_at DESC, dedup_key
      LIMIT $4::bigint`,
  };
}

export type TrackerStatements = ReturnType<typeof trackerStatements>;
