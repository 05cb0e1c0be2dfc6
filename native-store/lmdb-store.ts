// LmdbStore: sessions in an LMDB file via lmdb-js — synchronous reads from the memory map, batched async writes, an LRU tier.
import type { Database, RootDatabase, RootDatabaseOptions } from 'lmdb';
import {
  assertOwner,
  BackgroundTask,
  booleanOption,
  choiceOption,
  type DropListener,
  DropListeners,
  type DropReason,
  functionOption,
  intervalOption,
  Lru,
  MAX_OWNER_LENGTH,
  optionError,
  type OwnedEntry,
  SessionkitError,
  type Store,
  storeError,
  stringOption,
  wholeOption,
} from '../src/store-kit.js';
import { deleteExpired, expiredKeys, type IndexKey } from './expiry-index.js';
import { openRoot } from './open-root.js';
import { findOwned, type OwnerIndex } from './owner-index.js';
import { copyData, isRecord, MAX_EXPIRY, RecordEncoder, recordExpiry, stampCount, stampSalt } from './record.js';
import { retimeRecord, writeRecord, writeRecordIf, type Databases } from './writes.js';

/** Options of `new LmdbStore(options)`: give `path` or `env`. */
export interface LmdbStoreOptions {
  /**
   * Directory of the LMDB environment, created (with its parents) if missing; any name works,
   * `./data/app.sessions` included. Give `path` or `env`, not both. (`lmdb: { noSubdir: true }`
   * keeps the environment in a single file at `path` instead.)
   */
  path?: string;
  /** An lmdb-js root database the user opened (`open(...)`, with `maxDbs` of 3 or more); the store opens three named databases in it and never closes it. */
  env?: RootDatabase;
  /** Prefix of the three named databases, `<name>:sessions`, `<name>:expiry` and `<name>:owners`. Default `'sessionkit'`. */
  name?: string;
  /** Most sessions kept in the in-process LRU tier; 0 turns the tier off. Default 10 000. */
  cache?: number;
  /**
   * Most session bytes kept in the LRU tier (the sum of the sessions' encoded sizes; each entry
   * also takes about 400 bytes of bookkeeping); a bigger session is not cached. Default 64 MiB.
   */
  cacheMaxBytes?: number;
  /** How often expired sessions are deleted, ms; 0 turns the sweep off (expiry is still checked on read). Default 60 000. */
  sweepInterval?: number;
  /** Most sessions deleted per sweep transaction. Default 1000. */
  sweepBatch?: number;
  /**
   * What a resolved write means. `'committed'` (default): the transaction is committed and visible to
   * every process, and survives a crash of this process. `'flushed'`: also fsynced, so it survives
   * an OS crash or power loss. With the default sync options (`overlappingSync` off) a commit
   * includes its fsync, so both wait for it. See the LmdbStore section of the stores documentation (docs/stores.md).
   */
  durability?: 'committed' | 'flushed';
  /** Extra lmdb-js options for `open()` when `path` is given (`noSync`, `commitDelay`, `mapSize`, ...); `overlappingSync` defaults to false here. */
  lmdb?: RootDatabaseOptions;
  /** Called with a failed background sweep's error. Default: `console.error`. */
  onSweepError?: (error: unknown) => void;
  /**
   * Whether other processes may write to the path while this store has it open. `true` (default):
   * every task's first read takes a new snapshot, so it sees every save that resolved before the task
   * began, in any process. `false` declares this process the only writer: reads then reuse lmdb-js's
   * snapshot, which this process's own saves renew before they resolve, and another process's saves
   * become visible only at lmdb-js's next renewal (within an event-loop turn). Default `true`.
   */
  shared?: boolean;
}

interface Cached {
  salt: number;
  count: number;
  data: Uint8Array;
}

/** Tokens longer than this are never stored: LMDB keys are at most 1978 bytes. */
const MAX_TOKEN_LENGTH = 500;
const COMPONENT = 'lmdb store';

function _noop(): void {}

function validToken(token: string): boolean {
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}

function logSweepError(error: unknown): void {
  console.error(error);
}

/**
 * Sessions in LMDB, shared by every process that opens the same path, kept across restarts.
 * `find` is synchronous (a read from the memory map, validated against an in-process LRU);
 * `commit`, `commitIf`, `delete` and `touch` join lmdb-js's batched write transaction and resolve
 * once it is committed. Expired sessions are never returned, and are deleted in bounded batches by
 * an `unref()`ed sweep that reads an expiry index instead of scanning. An owner index (a third
 * database, kept in the same transactions) lists a user's sessions without a scan.
 *
 * @example
 * const store = new LmdbStore({ path: './data/sessions' });
 * const sessions = new SessionManager({ store });
 */
export class LmdbStore implements Store {
  /** True when the LRU tier is on: `find` then returns the same bytes object until the session changes. */
  readonly stableBytes: boolean;
  private readonly root: RootDatabase;
  private readonly ownsRoot: boolean;
  private readonly records: Database<Uint8Array, string>;
  private readonly index: Database<Uint8Array, IndexKey>;
  private readonly dbs: Databases;
  private readonly cache: Lru<Cached> | undefined;
  private readonly dropped = new DropListeners();
  private readonly flushed: boolean;
  private readonly sweepBatch: number;
  private readonly sweeper: BackgroundTask<number>;
  private closing: Promise<void> | undefined;
  private readonly encoder = new RecordEncoder();
  /** True while the read snapshot was taken in the current task (see `find`); always true with `shared: false`. */
  private fresh: boolean;
  /** Runs only in shared mode: single-process mode never sets `fresh` back to false. */
  private readonly expireSnapshot = (): void => {
    this.fresh = false;
  };

  constructor(options: LmdbStoreOptions) {
    if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object with path or env');
    const { path, env, lmdb = {} } = options;
    const cache = wholeOption('cache', options.cache, 10_000, 0);
    const cacheMaxBytes = wholeOption('cacheMaxBytes', options.cacheMaxBytes, 64 * 1024 * 1024, 0);
    const sweepInterval = intervalOption('sweepInterval', options.sweepInterval, 60_000);
    this.sweepBatch = wholeOption('sweepBatch', options.sweepBatch, 1000, 1);
    const durability = choiceOption('durability', options.durability, 'committed', ['committed', 'flushed']);
    const name = stringOption('name', options.name, 'sessionkit');
    const onSweepError = functionOption('onSweepError', options.onSweepError, logSweepError);
    const shared = booleanOption('shared', options.shared, true);
    if ((path === undefined) === (env === undefined)) throw optionError('path', 'or option env must be given (exactly one of them)');

    if (env !== undefined) {
      if (env === null || typeof env !== 'object' || typeof (env as Partial<RootDatabase>).openDB !== 'function') {
        throw optionError('env', 'must be an lmdb-js root database returned by open()', env);
      }
      this.root = env;
      this.ownsRoot = false;
    } else {
      if (typeof path !== 'string' || path.length === 0) throw optionError('path', 'must be a non-empty string', path);
      this.root = openRoot(path, lmdb, COMPONENT);
      this.ownsRoot = true;
    }
    this.records = this.root.openDB<Uint8Array, string>(`${name}:sessions`, { encoding: 'binary' });
    this.index = this.root.openDB<Uint8Array, IndexKey>(`${name}:expiry`, { encoding: 'binary' });
    const owners: OwnerIndex = this.root.openDB<string, string>(`${name}:owners`, { encoding: 'string', dupSort: true });
    this.dbs = { records: this.records, expiry: this.index, owners };
    this.cache = cache > 0 ? new Lru<Cached>(cache, cacheMaxBytes, (token, evicted) => this.tellDropped(token, evicted, 'evicted')) : undefined;
    this.stableBytes = this.cache !== undefined;
    this.flushed = durability === 'flushed';
    this.fresh = !shared;
    this.sweeper = new BackgroundTask(sweepInterval, () => this.sweepAll(), onSweepError);
  }

  find(token: string): Uint8Array | undefined {
    if (!validToken(token)) return undefined;
    let record: Uint8Array | undefined;
    try {
      // lmdb-js renews its read snapshot on a timer, so a request that arrives (as I/O) right after
      // another process committed could read a snapshot from before that commit. Take a new snapshot
      // at the first find of each task: every find then sees every commit that resolved before the
      // task began, in any process. Finds within one task share the snapshot.
      this.renewSnapshot();
      record = this.records.getBinaryFast(token);
    } catch (cause) {
      throw storeError(COMPONENT, 'read', cause);
    }
    const cache = this.cache;
    // `record` is lmdb-js's reused buffer (or a view of the map): valid until the next read, so copy what we keep.
    if (record === undefined || !isRecord(record) || recordExpiry(record) <= Date.now()) {
      this.uncache(token, record === undefined ? 'deleted' : 'expired');
      return undefined;
    }
    if (cache === undefined) return copyData(record);
    const salt = stampSalt(record);
    const count = stampCount(record);
    const hit = cache.get(token);
    if (hit !== undefined) {
      if (hit.salt === salt && hit.count === count) return hit.data;
      this.tellDropped(token, hit, 'replaced');
    }
    const data = copyData(record);
    cache.set(token, { salt, count, data }, data.length);
    return data;
  }

  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void> {
    const invalid = this.invalidWrite(token, owner);
    if (invalid !== undefined) return Promise.reject(invalid);
    if (!(expiresAt > Date.now())) return this.delete(token);
    const expiry = expiresAt >= MAX_EXPIRY ? MAX_EXPIRY : Math.ceil(expiresAt);
    const record = this.encoder.encode(data, expiry, owner);
    this.uncache(token, 'replaced');
    return this.settle(
      this.records.transaction(() => writeRecord(this.dbs, token, record, expiry, owner)),
      'commit',
    );
  }

  /** Compares and writes inside one write transaction, which LMDB runs exclusively across processes. */
  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean> {
    const invalid = this.invalidWrite(token, owner);
    if (invalid !== undefined) return Promise.reject(invalid);
    const expiry = !(expiresAt > Date.now()) ? undefined : expiresAt >= MAX_EXPIRY ? MAX_EXPIRY : Math.ceil(expiresAt);
    const record = expiry === undefined ? undefined : this.encoder.encode(data, expiry, owner);
    // No cache eviction here: a cached copy is checked against the record's stamp on every find.
    return this.settle(
      this.records.transaction(() => writeRecordIf(this.dbs, token, expected, record, expiry, owner, Date.now())),
      'commitIf',
    );
  }

  delete(token: string): Promise<void> {
    if (!validToken(token)) return Promise.resolve();
    this.uncache(token, 'deleted');
    return this.settle(
      this.records.transaction(() => writeRecord(this.dbs, token, undefined, undefined, undefined)),
      'delete',
    );
  }

  touch(token: string, expiresAt: number): Promise<boolean> {
    if (!validToken(token)) return Promise.resolve(false);
    if (!(expiresAt > Date.now())) return this.delete(token).then(() => false);
    const expiry = expiresAt >= MAX_EXPIRY ? MAX_EXPIRY : Math.ceil(expiresAt);
    // The stamp is kept: the data did not change, so a cached copy stays valid.
    return this.settle(
      this.records.transaction(() => retimeRecord(this.dbs, token, expiry, Date.now())),
      'touch',
    );
  }

  /** The live sessions whose latest commit carried `owner`, read from the owner index (never a scan). */
  findByOwner(owner: string): OwnedEntry[] {
    if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH) return [];
    try {
      this.renewSnapshot();
      return findOwned(this.records, this.dbs.owners, owner, Date.now());
    } catch (cause) {
      throw storeError(COMPONENT, 'read', cause);
    }
  }

  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    // Keys in short pages (no read transaction held across a slow consumer), each entry read again when
    // it is yielded, so a session deleted or expired meanwhile is skipped.
    let start: string | undefined;
    for (;;) {
      const page: string[] = [];
      let last: string | undefined;
      for (const key of this.records.getKeys({ start, limit: 257 })) {
        if (key === start) continue;
        last = key;
        if (typeof key === 'string') page.push(key);
      }
      for (const token of page) {
        const data = this.find(token);
        if (data !== undefined) yield [token, data];
      }
      if (last === undefined) return;
      start = last;
    }
  }

  /** With the LRU tier on: `listener` hears of every bytes object the tier stops holding (see `Store.onDrop`). */
  onDrop(listener: DropListener): () => void {
    return this.dropped.add(listener);
  }

  /** Deletes expired sessions now, in transactions of `sweepBatch` (or joins the sweep in flight); resolves to the number deleted. */
  sweep(): Promise<number> {
    return this.sweeper.run();
  }

  /** Stops the sweep, drops the LRU tier and, when the store opened the path itself, closes it. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.sweeper.stop();
    this.cache?.clear();
    if (this.ownsRoot) {
      try {
        await this.root.close();
      } catch (cause) {
        throw storeError(COMPONENT, 'close', cause);
      }
    }
  }

  /** Takes `token` out of the LRU tier, telling the `onDrop` listeners. */
  private uncache(token: string, reason: DropReason): void {
    const cache = this.cache;
    if (cache === undefined) return;
    if (this.dropped.active) {
      const held = cache.peek(token);
      if (held !== undefined) this.tellDropped(token, held, reason);
    }
    cache.delete(token);
  }

  private tellDropped(token: string, dropped: Cached, reason: DropReason): void {
    if (this.dropped.active) this.dropped.notify(token, dropped.data, reason);
  }

  /** Takes a new read snapshot at the first read of each task (see `find`). */
  private renewSnapshot(): void {
    if (this.fresh) return;
    this.fresh = true;
    this.records.resetReadTxn();
    queueMicrotask(this.expireSnapshot);
  }

  /** The error a commit rejects with for a token LMDB cannot key or a bad owner, else undefined. */
  private invalidWrite(token: string, owner: string | undefined): Error | undefined {
    if (!validToken(token)) return new SessionkitError(COMPONENT, `token must be 1 to ${MAX_TOKEN_LENGTH} characters`);
    try {
      assertOwner(owner, COMPONENT);
    } catch (error) {
      return error as TypeError;
    }
    return undefined;
  }

  /** Resolves with the transaction's result once it is committed (and flushed, with durability 'flushed'). */
  private settle<T>(written: Promise<T>, operation: string): Promise<T> {
    const done = this.flushed ? written.then((result) => this.records.flushed.then(() => result)) : written;
    return done.catch((cause: unknown) => {
      throw storeError(COMPONENT, operation, cause);
    });
  }

  private async sweepAll(): Promise<number> {
    let deleted = 0;
    for (;;) {
      if (this.closing !== undefined) return deleted;
      let keys: IndexKey[];
      try {
        keys = expiredKeys(this.index, Date.now(), this.sweepBatch);
        if (keys.length === 0) return deleted;
        deleted += await this.records.transaction(() => deleteExpired(this.records, this.index, this.dbs.owners, keys, Date.now()));
      } catch (cause) {
        throw storeError(COMPONENT, 'sweep', cause);
      }
      if (keys.length < this.sweepBatch) return deleted;
    }
  }
}
