import type { Redis } from 'ioredis';
import { ErrorCodes, FailureCategories, TrackStatuses } from '../../core/index.ts';

/**
 * The Lua scripts behind the tracker's transitions and the dedup store's `remember`. A script runs atomically, so
 * each transition (read the old status, write the new one, move the record between indexes) cannot interleave with
 * another instance's, and a batch is one EVALSHA round trip.
 *
 * Write scripts: KEYS[1..8] the indexes (RECEIVED, SUCCESS, FAILED, RETRYING, then the four failure categories), KEYS[9..] one
 * record hash per entry. ARGV[1] now (epoch ms), ARGV[2] record TTL in ms ('0': none), ARGV[3] index entries scored
 * below this are trimmed when a TTL is set, then ENTRY_FIELDS arguments per entry: dedupKey, topic, partition, offset,
 * attempts, hasPayload ('1' or '0'), payload, category, errorMessage.
 */
const ENTRY_FIELDS = 9;

const statusIndex = TrackStatuses.map((s, i) => `${s} = ${i + 1}`).join(', ');
const categoryIndex = FailureCategories.map((c, i) => `${c} = ${TrackStatuses.length + i + 1}`).join(', ');
const indexCount = TrackStatuses.length + FailureCategories.length;

const prelude = `
local STATUS = { ${statusIndex} }
local CATEGORY = { ${categoryIndex} }
local INDEXES = ${indexCount}
local STRIDE = ${ENTRY_FIELDS}
local now, ttl, trimBefore = ARGV[1], ARGV[2], ARGV[3]
local entries = (#ARGV - 3) / STRIDE

local function trim()
  if ttl ~= '0' then
    for i = 1, INDEXES do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. trimBefore) end
  end
end

local function expire(key)
  if ttl ~= '0' then redis.call('PEXPIRE', key, ttl) end
end

local function create(key, a, status)
  if ARGV[a + 5] == '1' then
    redis.call('HSET', key, 'dedupKey', ARGV[a], 'topic', ARGV[a + 1], 'partition', ARGV[a + 2], 'offset', ARGV[a + 3],
      'status', status, 'attempts', ARGV[a + 4], 'createdAt', now, 'updatedAt', now, 'payload', ARGV[a + 6])
  else
    redis.call('HSET', key, 'dedupKey', ARGV[a], 'topic', ARGV[a + 1], 'partition', ARGV[a + 2], 'offset', ARGV[a + 3],
      'status', status, 'attempts', ARGV[a + 4], 'createdAt', now, 'updatedAt', now)
  end
end

local function maxAttempts(stored, given)
  if stored and tonumber(stored) > tonumber(given) then return stored end
  return given
end

local function unindex(member, status, category)
  if status and STATUS[status] then redis.call('ZREM', KEYS[STATUS[status]], member) end
  if category and CATEGORY[category] then redis.call('ZREM', KEYS[CATEGORY[category]], member) end
end
`;

/** Inserts RECEIVED rows; existing rows, whatever their status, are left alone. Returns how many were created. */
const received = `${prelude}
trim()
local created = 0
for i = 1, entries do
  local key, a = KEYS[INDEXES + i], 4 + (i - 1) * STRIDE
  if redis.call('EXISTS', key) == 0 then
    create(key, a, 'RECEIVED')
    redis.call('ZADD', KEYS[STATUS.RECEIVED], now, ARGV[a])
    expire(key)
    created = created + 1
  end
end
return created
`;

/** Sets SUCCESS from any status (creating missing rows), clears the failure, keeps the highest attempts. */
const succeeded = `${prelude}
trim()
for i = 1, entries do
  local key, a = KEYS[INDEXES + i], 4 + (i - 1) * STRIDE
  local member = ARGV[a]
  local old = redis.call('HMGET', key, 'status', 'category', 'attempts')
  if old[1] then
    unindex(member, old[1], old[2])
    redis.call('HSET', key, 'status', 'SUCCESS', 'attempts', maxAttempts(old[3], ARGV[a + 4]), 'updatedAt', now)
    if old[2] then redis.call('HDEL', key, 'category', 'errorMessage') end
  else
    create(key, a, 'SUCCESS')
  end
  redis.call('ZADD', KEYS[STATUS.SUCCESS], now, member)
  expire(key)
end
return entries
`;

/**
 * Sets `status` (FAILED, or RETRYING: waiting in a retry topic) with the category and message unless the row is SUCCESS
 * (creating missing rows). Only FAILED rows are indexed by category (the operator's failure queries). Returns how many changed.
 */
const unlessSucceeded = (status: 'FAILED' | 'RETRYING') => `${prelude}
trim()
local changed = 0
for i = 1, entries do
  local key, a = KEYS[INDEXES + i], 4 + (i - 1) * STRIDE
  local member, category = ARGV[a], ARGV[a + 7]
  local old = redis.call('HMGET', key, 'status', 'category', 'attempts')
  if old[1] ~= 'SUCCESS' then
    if old[1] then
      unindex(member, old[1], old[2])
      redis.call('HSET', key, 'status', '${status}', 'attempts', maxAttempts(old[3], ARGV[a + 4]), 'updatedAt', now,
        'category', category, 'errorMessage', ARGV[a + 8])
      if ARGV[a + 5] == '1' then redis.call('HSET', key, 'payload', ARGV[a + 6]) end
    else
      create(key, a, '${status}')
      redis.call('HSET', key, 'category', category, 'errorMessage', ARGV[a + 8])
    end
    redis.call('ZADD', KEYS[STATUS.${status}], now, member)
    ${status === 'FAILED' ? "redis.call('ZADD', KEYS[CATEGORY[category]], now, member)" : ''}
    expire(key)
    changed = changed + 1
  end
end
return changed
`;

/**
 * The safeguard: up to ARGV[6] RECEIVED rows scored at or below ARGV[4] become FAILED with TIMEOUT_ERROR. KEYS are the
 * indexes; record keys are ARGV[5] (the record prefix) .. member, built here because they are only known from the
 * index. Each member leaves the RECEIVED index inside this script, so concurrent sweeps never move a row twice.
 * Returns { swept, examined }.
 */
const sweep = `${prelude}
trim()
local members = redis.call('ZRANGEBYSCORE', KEYS[STATUS.RECEIVED], '-inf', ARGV[4], 'LIMIT', 0, ARGV[6])
local swept = 0
for _, member in ipairs(members) do
  redis.call('ZREM', KEYS[STATUS.RECEIVED], member)
  local key = ARGV[5] .. member
  if redis.call('HGET', key, 'status') == 'RECEIVED' then
    redis.call('HSET', key, 'status', 'FAILED', 'category', '${ErrorCodes.TIMEOUT_ERROR}', 'errorMessage', ARGV[7], 'updatedAt', now)
    redis.call('ZADD', KEYS[STATUS.FAILED], now, member)
    redis.call('ZADD', KEYS[CATEGORY.${ErrorCodes.TIMEOUT_ERROR}], now, member)
    expire(key)
    swept = swept + 1
  end
end
return { swept, #members }
`;

/**
 * SET NX PX for every key; answers one string with a character per key: '1' when the key was new, '0' when it was
 * already there (so repeats in one call answer '0'). One string decodes much faster on the client than an array.
 */
const remember = `
local call, ttl, out = redis.call, ARGV[1], {}
for i = 1, #KEYS do
  if call('SET', KEYS[i], '1', 'NX', 'PX', ttl) then out[i] = '1' else out[i] = '0' end
end
return table.concat(out)
`;

type Arg = string | Buffer | number;

/** The scripts as client commands (EVALSHA, falling back to EVAL once per connection). The first argument is the key count. */
export interface TrackerScripts {
  orchestronTrackReceived(numKeys: number, ...args: Arg[]): Promise<number>;
  orchestronTrackSucceeded(numKeys: number, ...args: Arg[]): Promise<number>;
  orchestronTrackFailed(numKeys: number, ...args: Arg[]): Promise<number>;
  orchestronTrackRetrying(numKeys: number, ...args: Arg[]): Promise<number>;
  orchestronTrackSweep(numKeys: number, ...args: Arg[]): Promise<[number, number]>;
}

export interface DedupScripts {
  orchestronDedupRemember(numKeys: number, ...args: Arg[]): Promise<string>;
}

export function defineTrackerScripts(client: Redis): Redis & TrackerScripts {
  client.defineCommand('orchestronTrackReceived', { lua: received });
  client.defineCommand('orchestronTrackSucceeded', { lua: succeeded });
  client.defineCommand('orchestronTrackFailed', { lua: unlessSucceeded('FAILED') });
  client.defineCommand('orchestronTrackRetrying', { lua: unlessSucceeded('RETRYING') });
  client.defineCommand('orchestronTrackSweep', { lua: sweep });
  return client as Redis & TrackerScripts;
}

export function defineDedupScripts(client: Redis): Redis & DedupScripts {
  client.defineCommand('orchestronDedupRemember', { lua: remember });
  return client as Redis & DedupScripts;
}
