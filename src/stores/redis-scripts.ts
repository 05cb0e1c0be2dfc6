// RedisStore's Lua scripts (each touches one key, so they run on a Redis Cluster too) and how they are sent: EVALSHA, then EVAL once on NOSCRIPT.
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script with its SHA1, so it is sent in full only to a server that has not cached it yet. */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * The conditional write. KEYS[1]: the session key. ARGV[1]: '1' when the live value must equal
 * ARGV[2], '0' when the key must be absent; ARGV[3]: the new value; ARGV[4]: the PXAT in ms, or
 * '0' when the new expiry is already past (then the key is deleted); ARGV[5], optional: when
 * present, the key is read again after the write (see {@link COMMIT_TRACKED}). Returns 1 when
 * written, 0 when the condition failed. Redis runs a script alone, so nothing interleaves between
 * the GET and the write; a key past its expiry reads as absent.
 */
export const COMMIT_IF = script(`local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[4] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
  if ARGV[5] then redis.call('EXISTS', KEYS[1]) end
end
return 1`);

/**
 * The near cache's plain write, run on its tracked connection. KEYS[1]: the session key; ARGV[1]:
 * the value; ARGV[2]: the PXAT in ms. A write drops the key from Redis's tracking table, and a
 * read-only command on the key, run by a tracked connection (here, the script's caller), tracks it
 * again: within one script, so no other client's write can come between the write and the
 * tracking unreported. The store can then keep the bytes it wrote.
 */
export const COMMIT_TRACKED = script(`redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('EXISTS', KEYS[1])
return 1`);

/**
 * Adds a token to an owner's set and pushes the set's expiry out to the token's, never in (the
 * set lives as long as its longest-lived member). KEYS[1]: the owner's set; ARGV[1]: the token;
 * ARGV[2]: the token's PXAT in ms. PTTL and TIME rather than PEXPIRETIME or `GT`, so it runs on
 * Redis 6.2 too.
 */
export const INDEX_OWNER = script(`redis.call('SADD', KEYS[1], ARGV[1])
local at = tonumber(ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 then
  local time = redis.call('TIME')
  if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + ttl >= at then return 0 end
end
redis.call('PEXPIREAT', KEYS[1], at)
return 1`);

/** Runs `script` on the node that holds `key`: EVALSHA, and EVAL when that server has not cached the script (NOSCRIPT). */
export async function runScript(client: Redis | Cluster, { lua, sha }: Script, key: string, args: (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.evalsha(sha, 1, key, ...args);
  } catch (error) {
    if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
    return client.eval(lua, 1, key, ...args);
  }
}
