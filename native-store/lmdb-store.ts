// LmdbStore: sessions in an LMDB file via lmdb-js — synchronous reads from the memory map, batched async writes, an LRU tier.
import type { Database, RootDatabase } from 'lmdb';
import {
  assertOwner,
  BackgroundTask,
  choiceOption,
  type DropListener,
  DropListeners,
  type DropReason,
  functionOption,
  intervalOption,
  Lru,
  optionError,
  type OwnedEntry,
  SessionkitError,
  publishStoreExpired,
  reportOwnExpiry,
  type Store,
  storeError,
  storeEvents,
  stringOption,
  wholeOption,
} from '../src/store-kit.js';
import type { LmdbStoreOptions } from './lmdb-options.js';
import { deleteExpired, expiredKeys, type IndexKey } from './expiry-index.js';
import { openRoot } from './open-root.js';
import { ReadMode } from './read-mode.js';
import { findOwned, type OwnerIndex } from './owner-index.js';
import { copyData, isRecord, MAX_EXPIRY, RecordEncoder, recordExpiry, stampCount, stampSalt } from './record.js';
import { retimeRecord, writeRecord, writeRecordIf, type Databases } from './writes.js';

interface Cached {
  salt: number;
  count: number;
  data: Uint8Array;
  /** The record's expiry when it was read (kept current by this process's `touch`). */
  expiry: number;
  /** The store's `generation` when the copy was last checked against the record. */
  generation: number;
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
  private readonly reads: ReadMode;

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
    const shared = options.shared ?? true;
    if (shared !== true && shared !== false && shared !== 'auto') throw optionError('shared', "must be true, false or 'auto'", options.shared);
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
    this.reads = new ReadMode(this.records, this.root, { shared, name, component: COMPONENT, onError: onSweepError });
    this.sweeper = new BackgroundTask(sweepInterval, () => this.sweepAll(), onSweepError);
    reportOwnExpiry(this);
  }

  /** How this store reads now: `'alone'` serves cached sessions from memory, `'shared'` checks each against the record in a fresh snapshot. */
  get mode(): 'alone' | 'shared' {
    return this.reads.alone ? 'alone' : 'shared';
  }

  find(token: string): Uint8Array | undefined {
    if (!validToken(token)) return undefined;
    const now = Date.now();
    const reads = this.reads;
    reads.look(now);
    if (reads.alone && this.cache !== undefined) {
      // Every write of this token goes through this store, which drops the cached copy when the write resolves.
      const hit = this.cache.get(token);
      if (hit !== undefined && hit.generation === reads.generation && hit.expiry > now) return hit.data;
    }
    let record: Uint8Array | undefined;
    try {
      // lmdb-js renews its read snapshot on a timer, so a request that arrives (as I/O) right after
      // another process committed could read a snapshot from before that commit. Take a new snapshot
      // at the first find of each task: every find then sees every commit that resolved before the
      // task began, in any process. Finds within one task share the snapshot.
      reads.renew();
      record = this.records.getBinaryFast(token);
    } catch (cause) {
      throw storeError(COMPONENT, 'read', cause);
    }
    const cache = this.cache;
    // `record` is lmdb-js's reused buffer (or a view of the map): valid until the next read, so copy what we keep.
    if (record === undefined || !isRecord(record) || recordExpiry(record) <= now) {
      this.uncache(token, record === undefined ? 'deleted' : 'expired');
      return undefined;
    }
    if (cache === undefined) return copyData(record);
    const salt = stampSalt(record);
    const count = stampCount(record);
    const hit = cache.get(token);
    if (hit !== undefined) {
      if (hit.salt === salt && hit.count === count) {
        hit.generation = reads.generation;
        return hit.data;
      }
      this.tellDropped(token, hit, 'replaced');
    }
    const data = copyData(record);
    cache.set(token, { salt, count, data, expiry: recordExpiry(record), generation: reads.generation }, data.length);
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
      this.reads.transact(() => writeRecord(this.dbs, token, record, expiry, owner)),
      'commit',
      token,
      'replaced',
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
      this.reads.transact(() => writeRecordIf(this.dbs, token, expected, record, expiry, owner, Date.now())),
      'commitIf',
      token,
      'replaced',
    );
  }

  delete(token: string): Promise<void> {
    if (!validToken(token)) return Promise.resolve();
    this.uncache(token, 'deleted');
    return this.settle(
      this.reads.transact(() => writeRecord(this.dbs, token, undefined, undefined, undefined)),
      'delete',
      token,
      'deleted',
    );
  }

  touch(token: string, expiresAt: number): Promise<boolean> {
    if (!validToken(token)) return Promise.resolve(false);
    if (!(expiresAt > Date.now())) return this.delete(token).then(() => false);
    const expiry = expiresAt >= MAX_EXPIRY ? MAX_EXPIRY : Math.ceil(expiresAt);
    // The stamp is kept: the data did not change, so a cached copy stays valid.
    return this.settle(
      this.reads.transact(() => retimeRecord(this.dbs, token, expiry, Date.now())),
      'touch',
      token,
      expiry,
    );
  }

  /** The live sessions whose latest commit carried `owner`, read from the owner index (never a scan). */
  findByOwner(owner: string): OwnedEntry[] {
    // An undefined owner is refused as an empty one.
    assertOwner(owner ?? '', COMPONENT);
    try {
      this.reads.look(Date.now());
      this.reads.renew();
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
    await this.reads.leave();
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

  /** When the store may read alone: what a resolved write does to the cached copy of `token` (see `settle`). */
  private afterWrite(token: string, reason: DropReason | number, result: unknown): void {
    if (typeof reason !== 'number') {
      this.uncache(token, reason);
      return;
    }
    const held = this.cache?.peek(token);
    if (held === undefined) return;
    if (result === true) held.expiry = reason;
    else this.uncache(token, 'expired');
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

  /**
   * Resolves with the transaction's result once it is committed (and flushed, with durability 'flushed').
   * When the store may read alone (see ReadMode.tracksWrites) the cached copy of `token` is first dropped (for `reason`) or, after a touch
   * (`reason` is the new expiry), retimed: a find that ran while the write was in flight may have
   * cached the record it replaced, and cache hits are not checked against the record.
   */
  private settle<T>(written: Promise<T>, operation: string, token: string, reason: DropReason | number): Promise<T> {
    const committed = this.reads.tracksWrites
      ? written.then(
          (result) => {
            this.afterWrite(token, reason, result);
            return result;
          },
          (cause: unknown) => {
            this.uncache(token, 'replaced');
            throw cause;
          },
        )
      : written;
    const done = this.flushed ? committed.then((result) => this.records.flushed.then(() => result)) : committed;
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
        const removed: [Uint8Array, string | undefined][] | undefined = storeEvents.expired.hasSubscribers ? [] : undefined;
        deleted += await this.records.transaction(() => deleteExpired(this.records, this.index, this.dbs.owners, keys, Date.now(), removed));
        if (removed !== undefined) for (const [data, owner] of removed) publishStoreExpired(this, data, owner);
      } catch (cause) {
        throw storeError(COMPONENT, 'sweep', cause);
      }
      if (keys.length < this.sweepBatch) return deleted;
    }
  }
}
