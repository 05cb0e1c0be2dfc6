// sessionkit/redis: RedisStore, sessions as Redis strings with a TTL (SCS's key layout), through the user's ioredis client or Cluster.
import type { Cluster, Redis } from 'ioredis';
import { SessionkitError, optionError } from '../errors.js';
import type { OwnedEntry, Store } from '../store.js';
import { asBuffer, asBytes } from './bytes.js';
import { checkOwner } from './owner.js';
import { COMMIT_IF, INDEX_OWNER, runScript } from './redis-scripts.js';

export interface RedisStoreOptions {
  /** An ioredis `Redis` or `Cluster` the user built and owns; `close()` never quits it. It must not set `keyPrefix`. */
  client: Redis | Cluster;
  /** Prepended to every token to make its key. Default `scs:session:` (SCS's layout). */
  prefix?: string;
}

const COMPONENT = 'redis store';
const SCAN_COUNT = 100;
const NO_BYTES = Buffer.alloc(0);

function fail(command: string, cause: unknown): SessionkitError {
  return new SessionkitError(COMPONENT, `${command} failed`, cause);
}

/** Escapes the glob characters of SCAN's MATCH, so a prefix matches literally. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
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
 *
 * @example
 * const client = new Redis({ maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000 });
 * const store = new RedisStore({ client });
 */
export class RedisStore implements Store {
  /** The key prefix. */
  readonly prefix: string;
  private readonly client: Redis | Cluster;

  constructor(options: RedisStoreOptions) {
    const { client, prefix = 'scs:session:' } = options ?? ({} as RedisStoreOptions);
    if (client === null || typeof client !== 'object' || typeof client.getBuffer !== 'function') {
      throw optionError('client', 'must be an ioredis Redis or Cluster', client);
    }
    const keyPrefix = clientKeyPrefix(client);
    if (keyPrefix !== undefined && keyPrefix !== '') {
      throw optionError('client', "must not set ioredis's keyPrefix (SCAN does not apply it); use the store's prefix option instead", keyPrefix);
    }
    if (typeof prefix !== 'string' || prefix === '') throw optionError('prefix', 'must be a non-empty string', prefix);
    this.client = client;
    this.prefix = prefix;
  }

  async find(token: string): Promise<Uint8Array | undefined> {
    try {
      const value = await this.client.getBuffer(this.prefix + token);
      return value === null ? undefined : asBytes(value);
    } catch (error) {
      throw fail('GET', error);
    }
  }

  /** Overwrites `token`; with `owner`, also adds it to that owner's set (see {@link RedisStore.findByOwner}). */
  async commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    // A key is live while Redis's clock is <= its PXAT, an entry while Date.now() < expiresAt: hence the - 1.
    const at = Math.ceil(expiresAt) - 1;
    if (!(at >= Date.now())) return this.delete(token); // SET rejects PXAT <= 0; a past entry is never kept
    try {
      await this.client.set(this.prefix + token, asBuffer(data), 'PXAT', at);
    } catch (error) {
      throw fail('SET', error);
    }
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
    let result: unknown;
    try {
      result = await runScript(this.client, COMMIT_IF, this.prefix + token, [
        expected === undefined ? '0' : '1',
        expected === undefined ? NO_BYTES : asBuffer(expected),
        live ? asBuffer(data) : NO_BYTES,
        live ? String(at) : '0',
      ]);
    } catch (error) {
      throw fail('EVALSHA', error);
    }
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
    let members: string[];
    try {
      members = await this.client.smembers(setKey);
    } catch (error) {
      throw fail('SMEMBERS', error);
    }
    if (members.length === 0) return [];
    const entries: OwnedEntry[] = [];
    const gone: string[] = [];
    const reads = await this.readMembers(members);
    members.forEach((token, i) => {
      const [value, expireTime] = reads[i]!;
      if (value === null) gone.push(token);
      else if (expireTime >= 0) entries.push({ key: token, data: asBytes(value), expiresAt: expireTime + 1 }); // PXAT is expiresAt - 1
    });
    if (gone.length > 0) {
      try {
        await this.client.srem(setKey, ...gone);
      } catch (error) {
        throw fail('SREM', error);
      }
    }
    return entries;
  }

  async delete(token: string): Promise<void> {
    try {
      await this.client.del(this.prefix + token);
    } catch (error) {
      throw fail('DEL', error);
    }
  }

  /**
   * Moves the expiry of a live session. Pass the session's `owner` when it has one: the owner's
   * set must live as long as its longest-lived member, and only the caller knows whose it is.
   */
  async touch(token: string, expiresAt: number, owner?: string): Promise<void> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    const at = Math.ceil(expiresAt) - 1;
    if (!(at >= Date.now())) return this.delete(token);
    let moved: number;
    try {
      moved = await this.client.pexpireat(this.prefix + token, at); // a missing key stays missing
    } catch (error) {
      throw fail('PEXPIREAT', error);
    }
    if (moved === 1 && owner !== undefined) await this.index(owner, token, at);
  }

  /**
   * Live sessions: SCAN with MATCH `<prefix>*` (on every master of a Cluster), and the values of
   * each batch fetched in one pipeline to the node that holds them. Each token is listed once.
   */
  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    const nodes = this.client.isCluster ? (this.client as Cluster).nodes('master') : [this.client as Redis];
    const pattern = `${globLiteral(this.prefix)}*`;
    const ownerSets = this.ownerKey(''); // the owner index lives under the prefix too; its sets are not sessions
    for (const node of nodes) {
      const seen = new Set<string>(); // SCAN may return a key twice while Redis resizes its table
      let cursor = '0';
      do {
        let keys: string[];
        try {
          [cursor, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        } catch (error) {
          throw fail('SCAN', error);
        }
        keys = keys.filter((key) => !seen.has(key) && seen.add(key) && !key.startsWith(ownerSets));
        if (keys.length === 0) continue;
        const values = await this.fetch(node, keys);
        for (let i = 0; i < keys.length; i++) {
          const value = values[i];
          if (value) yield [keys[i]!.slice(this.prefix.length), asBytes(value)];
        }
      } while (cursor !== '0');
    }
  }

  /** The values of `keys` from `node` in one pipeline; a key that moved away (cluster resharding) is read through the client. */
  private async fetch(node: Redis, keys: string[]): Promise<(Buffer | null)[]> {
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.getBuffer(key);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw fail('GET', error);
    }
    if (results === null) throw fail('GET', new Error('pipeline was discarded'));
    return Promise.all(
      results.map(async ([error, value], i) => {
        if (error === null) return value as Buffer | null;
        if (!this.client.isCluster) throw fail('GET', error);
        try {
          return await this.client.getBuffer(keys[i]!);
        } catch (retryError) {
          throw fail('GET', retryError);
        }
      }),
    );
  }

  /** The key of an owner's set of tokens. Tokens never contain ':', so it cannot be a session's key. */
  private ownerKey(owner: string): string {
    return `${this.prefix}user:${owner}`;
  }

  /** Adds `token` to `owner`'s set and pushes the set's expiry out to `at` (PXAT ms) when that is later. */
  private async index(owner: string, token: string, at: number): Promise<void> {
    try {
      await runScript(this.client, INDEX_OWNER, this.ownerKey(owner), [token, String(at)]);
    } catch (error) {
      throw fail('SADD', error);
    }
  }

  /** Value and absolute expiry (PEXPIRETIME: -2 when missing) of each session key of `tokens`. */
  private async readMembers(tokens: string[]): Promise<[Buffer | null, number][]> {
    const batches = this.client.isCluster ? tokens.map((token) => [token]) : [tokens];
    const results = await Promise.all(
      batches.map(async (batch) => {
        const pipeline = this.client.pipeline();
        for (const token of batch) pipeline.getBuffer(this.prefix + token).pexpiretime(this.prefix + token);
        let replies: [Error | null, unknown][] | null;
        try {
          replies = await pipeline.exec();
        } catch (error) {
          throw fail('GET', error);
        }
        if (replies === null) throw fail('GET', new Error('pipeline was discarded'));
        const failed = replies.find(([error]) => error !== null);
        if (failed !== undefined) throw fail('GET', failed[0]);
        return batch.map((_, i): [Buffer | null, number] => [replies[2 * i]![1] as Buffer | null, Number(replies[2 * i + 1]![1])]);
      }),
    );
    return results.flat();
  }

  /** Nothing to release: the client is the caller's, and Redis expires keys itself. */
  close(): void {}
}
