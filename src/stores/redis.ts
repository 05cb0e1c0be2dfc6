// sessionkit/redis: RedisStore, sessions as Redis strings with a TTL (SCS's key layout), through the user's ioredis client or Cluster.
import type { Cluster, Redis } from 'ioredis';
import { optionError, type OwnedEntry, type Store, storeError, stringOption, timeoutOption } from '../store-kit.js';
import { asBuffer, asBytes } from './bytes.js';
import { Deadline } from './deadline.js';
import { NearCache, type NearCacheOptions, type NearCacheStats, nearCacheOptions } from './near-cache.js';
import { NearCacheConnections } from './near-cache-connections.js';
import { checkOwner } from './owner.js';
import { COMMIT_IF, COMMIT_TRACKED, INDEX_OWNER, runScript, type Script } from './redis-scripts.js';
import { isWrongType, scanSessions } from './redis-scan.js';

/** Options of `new RedisStore(options)`. */
export interface RedisStoreOptions {
  /** An ioredis `Redis` or `Cluster` the user built and owns; `close()` never quits it. It must not set `keyPrefix`. */
  client: Redis | Cluster;
  /** Prepended to every token to make its key. Default `scs:session:` (SCS's layout). */
  prefix?: string;
  /**
   * ms within which every operation settles, answered or not: a server that is down or hung
   * rejects the operation after this long (a system error, never "not found"). Default 5000.
   */
  timeout?: number;
  /**
   * A bounded in-process cache of session bytes in front of Redis, kept coherent by Redis's
   * client-side caching (CLIENT TRACKING): any write to a cached key, by any client, evicts it.
   * `true` for the defaults (10,000 entries, 64 MiB, no staleness cap). Needs Redis 7.0. Off by default.
   */
  nearCache?: boolean | NearCacheOptions;
}

export type { NearCacheOptions, NearCacheStats };

const COMPONENT = 'redis store';
const NO_BYTES = Buffer.alloc(0);

function fail(command: string, cause: unknown) {
  return storeError(COMPONENT, command, cause);
}

function clientKeyPrefix(client: Redis | Cluster): unknown {
  const options = client.options as { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } } | undefined;
  return options?.keyPrefix ?? options?.redisOptions?.keyPrefix;
}

/**
 * Sessions in Redis: each is one string key `<prefix><token>` whose TTL Redis enforces, so there is
 * no cleanup timer. A commit is one `SET ... PXAT`, a load one `GET`: one round trip each, and
 * every process that uses the server sees the same sessions. Durability is the server's: with
 * Redis's defaults a crash loses the writes since the last RDB snapshot (use `appendonly yes` for
 * more). Works with a Redis Cluster: each operation touches one key, and `all()` scans every master.
 * A key under the prefix that holds another type than a string reads as not found; the first one a
 * store meets is reported once with `console.warn` (without the key).
 *
 * @example
 * const client = new Redis({ maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 });
 * const store = new RedisStore({ client });
 */
export class RedisStore implements Store {
  /** The key prefix. */
  readonly prefix: string;
  private readonly client: Redis | Cluster;
  /** The longest one operation may take, in ms (the `timeout` option). */
  readonly timeout: number;
  private wrongTypeReported = false;
  /** True with the near cache: a cached session is the same bytes object until it changes. */
  readonly stableBytes: boolean;
  readonly #cache: NearCache | undefined;
  readonly #connections: NearCacheConnections | undefined;

  constructor(options: RedisStoreOptions) {
    const { client, prefix, timeout, nearCache } = options ?? ({} as RedisStoreOptions);
    if (client === null || typeof client !== 'object' || typeof client.getBuffer !== 'function') {
      throw optionError('client', 'must be an ioredis Redis or Cluster', client);
    }
    const keyPrefix = clientKeyPrefix(client);
    if (keyPrefix !== undefined && keyPrefix !== '') {
      throw optionError('client', "must not set ioredis's keyPrefix (SCAN does not apply it); use the store's prefix option instead", keyPrefix);
    }
    this.client = client;
    this.prefix = stringOption('prefix', prefix, 'scs:session:');
    this.timeout = timeoutOption('timeout', timeout, 5000);
    const cacheOptions = nearCacheOptions(nearCache);
    this.#cache = cacheOptions && new NearCache(cacheOptions);
    this.#connections = this.#cache && new NearCacheConnections(client, this.prefix, this.#cache);
    this.stableBytes = this.#cache !== undefined;
  }

  /** With the near cache, a cached session is returned at once (not a promise). */
  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    const cache = this.#cache;
    if (cache === undefined) return this.findInRedis(token);
    const cached = cache.get(token);
    if (cached !== undefined) return cached;
    return cache.trusted ? this.findTracked(cache, token) : this.findInRedis(token);
  }

  /** What the near cache did and holds; undefined when it is off. Cheap: a few counters. */
  nearCacheStats(): NearCacheStats | undefined {
    return this.#cache?.stats();
  }

  /** A read on the tracked connection, filed in the near cache unless something changed while it was in flight. */
  private async findTracked(cache: NearCache, token: string): Promise<Uint8Array | undefined> {
    const ticket = cache.begin(token);
    let reply: [Buffer | null, number];
    try {
      reply = await this.call('GET', this.#connections!.read(this.prefix + token));
    } catch (error) {
      cache.abandon(ticket);
      if (isWrongType((error as Error).cause)) return this.notStringIsMissing((error as Error).cause) ?? undefined;
      throw error;
    }
    const [value, expireTime] = reply;
    if (value === null || expireTime === -2) {
      cache.abandon(ticket);
      return undefined;
    }
    return cache.file(ticket, asBytes(value), expireTime === -1 ? Number.POSITIVE_INFINITY : expireTime + 1); // PXAT is expiresAt - 1
  }

  private async findInRedis(token: string): Promise<Uint8Array | undefined> {
    const value = await this.call('GET', this.client.getBuffer(this.prefix + token).catch(this.notStringIsMissing));
    return value === null ? undefined : asBytes(value);
  }

  /** Overwrites `token`; with `owner`, also adds it to that owner's set (see {@link RedisStore.findByOwner}). */
  async commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    // A key is live while Redis's clock is <= its PXAT, an entry while Date.now() < expiresAt: hence the - 1.
    const at = Math.ceil(expiresAt) - 1;
    if (!(at >= Date.now())) return this.delete(token); // SET rejects PXAT <= 0; a past entry is never kept
    if (this.#cache?.trusted) await this.writeTracked(token, 'SET', COMMIT_TRACKED, [asBuffer(data), String(at)], data, at);
    else await this.evicting(token, this.call('SET', this.client.set(this.prefix + token, asBuffer(data), 'PXAT', at)));
    if (owner !== undefined) await this.index(owner, token, at);
  }

  /**
   * Writes only if the live value equals `expected` (or, with `expected` undefined, if there is
   * none): one Lua script on the session's key (GET, compare, SET ... PXAT), so it is atomic
   * across processes and works on a Cluster. With `owner`, a successful write is then added to
   * that owner's set, a separate single-key command.
   */
  async commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    const at = Math.ceil(expiresAt) - 1;
    const live = at >= Date.now();
    const args = [
      expected === undefined ? '0' : '1',
      expected === undefined ? NO_BYTES : asBuffer(expected),
      live ? asBuffer(data) : NO_BYTES,
      live ? String(at) : '0',
    ];
    // A fresh token's session (expected undefined) is not kept: most are never loaded again (a
    // first visit, a bot), and each kept one would take a place in the cache and in Redis's tracking table.
    const tracked = live && expected !== undefined && this.#cache?.trusted === true;
    if (tracked) args.push('track'); // the script reads the key again after writing (see COMMIT_TRACKED)
    const result = tracked
      ? await this.writeTracked(token, 'EVALSHA', COMMIT_IF, args, data, at)
      : await this.evicting(token, this.call('EVALSHA', runScript(this.client, COMMIT_IF, this.prefix + token, args)));
    if (result !== 1) return false;
    if (live && owner !== undefined) await this.index(owner, token, at);
    return true;
  }

  /**
   * The live sessions committed with `owner`: the members of the set `<prefix>user:<owner>`, each
   * read with GET and PEXPIRETIME (one pipeline on a single server; on a Cluster, one per member,
   * as members live in different slots). Members whose key is gone are removed from the set here.
   * Needs Redis 7.0 (PEXPIRETIME).
   */
  async findByOwner(owner: string): Promise<OwnedEntry[]> {
    checkOwner(owner, COMPONENT);
    const setKey = this.ownerKey(owner);
    const members = await this.call('SMEMBERS', this.client.smembers(setKey));
    if (members.length === 0) return [];
    const entries: OwnedEntry[] = [];
    const gone: string[] = [];
    const reads = await this.readMembers(members);
    members.forEach((token, i) => {
      const [value, expireTime] = reads[i]!;
      if (value === null) gone.push(token);
      else if (expireTime >= 0) entries.push({ key: token, data: asBytes(value), expiresAt: expireTime + 1 }); // PXAT is expiresAt - 1
    });
    if (gone.length > 0) await this.call('SREM', this.client.srem(setKey, ...gone));
    return entries;
  }

  async delete(token: string): Promise<void> {
    await this.evicting(token, this.call('DEL', this.client.del(this.prefix + token)));
  }

  /**
   * Moves the expiry of a live session. Pass the session's `owner` when it has one: the owner's
   * set must live as long as its longest-lived member, and only the caller knows whose it is.
   */
  async touch(token: string, expiresAt: number, owner?: string): Promise<boolean> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    const at = Math.ceil(expiresAt) - 1;
    if (!(at >= Date.now())) {
      await this.delete(token);
      return false;
    }
    const moved = await this.evicting(token, this.call('PEXPIREAT', this.client.pexpireat(this.prefix + token, at))); // a missing (or expired) key stays missing
    if (moved === 1 && owner !== undefined) await this.index(owner, token, at);
    return moved === 1;
  }

  /**
   * Live sessions: SCAN with MATCH `<prefix>*` (on every master of a Cluster), and the values of
   * each batch fetched in one pipeline to the node that holds them. Each token is listed once.
   */
  all(): AsyncIterable<[token: string, data: Uint8Array]> {
    return scanSessions({
      client: this.client,
      prefix: this.prefix,
      ownerSets: this.ownerKey(''), // the owner index lives under the prefix too; its sets are not sessions
      call: (command, pending) => this.call(command, pending),
      notStringIsMissing: this.notStringIsMissing,
    });
  }

  /** The key of an owner's set of tokens. Tokens never contain ':', so it cannot be a session's key. */
  private ownerKey(owner: string): string {
    return `${this.prefix}user:${owner}`;
  }

  /** Adds `token` to `owner`'s set and pushes the set's expiry out to `at` (PXAT ms) when that is later. */
  private async index(owner: string, token: string, at: number): Promise<void> {
    await this.call('SADD', runScript(this.client, INDEX_OWNER, this.ownerKey(owner), [token, String(at)]));
  }

  /** Value and absolute expiry (PEXPIRETIME: -2 when missing) of each session key of `tokens`. */
  private async readMembers(tokens: string[]): Promise<[Buffer | null, number][]> {
    const batches = this.client.isCluster ? tokens.map((token) => [token]) : [tokens];
    const results = await Promise.all(
      batches.map(async (batch) => {
        const pipeline = this.client.pipeline();
        for (const token of batch) pipeline.getBuffer(this.prefix + token).pexpiretime(this.prefix + token);
        const replies = await this.call('GET', pipeline.exec());
        if (replies === null) throw fail('GET', new Error('pipeline was discarded'));
        const failed = replies.find(([error]) => error !== null);
        if (failed !== undefined) throw fail('GET', failed[0]);
        return batch.map((_, i): [Buffer | null, number] => [replies[2 * i]![1] as Buffer | null, Number(replies[2 * i + 1]![1])]);
      }),
    );
    return results.flat();
  }

  /**
   * A write of `token` by `script` on the near cache's tracked connection; the script tracks the
   * key again after writing, so the bytes written (`data`, live until PXAT `at`) are filed when it
   * answers 1, unless a write, an invalidation or a loss of tracking came in between (then the key
   * is dropped). Until it answers, loads are served the entry as it was. Without this, every write
   * would cost the next load a round trip, and with one always in flight (group commit on a busy
   * session) every load would miss.
   */
  private async writeTracked(token: string, command: string, script: Script, args: (string | Buffer)[], data: Uint8Array, at: number): Promise<unknown> {
    const cache = this.#cache!;
    const ticket = cache.beginWrite(token);
    let result: unknown;
    try {
      result = await this.call(command, runScript(this.#connections!.reader, script, this.prefix + token, args));
    } catch (error) {
      cache.unwritten(ticket); // it may have been applied
      throw error;
    }
    if (result !== 1)
      cache.unwritten(ticket); // the session changed since its caller read it
    else cache.written(ticket, data, at + 1); // PXAT is expiresAt - 1
    return result;
  }

  /**
   * `pending`, a write of `token`; once it settles (even failed: it may have been applied) the
   * near cache drops `token` and spoils reads of it in flight, so a read after the write resolves
   * sees it. Tracking alone would not do: this write's invalidation reaches us later.
   */
  private async evicting<T>(token: string, pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } finally {
      this.#cache?.invalidate(token, false);
    }
  }

  /** `pending`, settled within the timeout; a failure becomes `sessionkit: redis store: <command> failed`. */
  private async call<T>(command: string, pending: Promise<T>): Promise<T> {
    const deadline = new Deadline(this.timeout);
    try {
      return await deadline.race(pending);
    } catch (error) {
      throw fail(command, error);
    } finally {
      deadline.clear();
    }
  }

  /** A read of a key that holds a hash, list, ... : not a session, so "not found", reported once per store. */
  private readonly notStringIsMissing = (error: unknown): null => {
    if (!isWrongType(error)) throw error;
    if (!this.wrongTypeReported) {
      this.wrongTypeReported = true;
      console.warn(
        `sessionkit: ${COMPONENT}: a key under the prefix ${JSON.stringify(this.prefix)} holds a value that is not a string; ` +
          'such keys read as not found (reported once)',
      );
    }
    return null;
  };

  /** Closes the near cache's connections, if any; never the client: it is the caller's. Redis expires keys itself. */
  async close(): Promise<void> {
    await this.#connections?.close();
  }
}
