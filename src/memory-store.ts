// MemoryStore: the default store, an LRU of session bytes bounded by count and size, with lazy expiry, an owner index and an unref'd sweep.
import { BackgroundTask } from './background-task.js';
import { DropListeners } from './drop-listeners.js';
import { optionError, SessionkitError } from './errors.js';
import { lifecycle } from './events.js';
import { publishStoreEvicted, publishStoreExpired, reportOwnExpiry } from './events-publish.js';
import { LruList, type LruNode } from './lru-list.js';
import { type ArenaHolder, RecordArena, type Slab } from './record-arena.js';
import { assertOwner, type DropListener, type DropReason, type OwnedEntry, type Store } from './store.js';
import { intervalOption, wholeOption } from './validate.js';

/** Options of `new MemoryStore(options)`; every one is optional. */
export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently used are dropped. Default 100 000. */
  maxEntries?: number;
  /** Most bytes of session data kept (the sum of the sessions' sizes); past it the least recently used are dropped. Default 64 MiB. */
  maxBytes?: number;
  /** How often expired entries are swept, ms; 0 turns the sweep off (expiry is still checked on read). Default 60 000. */
  sweepInterval?: number;
}

const COMPONENT = 'memory store';

const NO_BYTES = new Uint8Array(0);

class Entry implements LruNode<Entry>, ArenaHolder {
  newer: Entry | undefined = undefined;
  older: Entry | undefined = undefined;
  owner: string | undefined = undefined;
  data: Uint8Array = NO_BYTES;
  slab: Slab | undefined = undefined;

  constructor(
    readonly token: string,
    public expiresAt: number,
  ) {}
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && Buffer.compare(a, b) === 0);
}

/**
 * In-process sessions: nothing survives a restart and nothing is shared between processes.
 * Every method is synchronous. Bounded, so memory never grows without bound: it holds at most
 * `maxEntries` sessions and `maxBytes` bytes of session data, and only when a commit would pass
 * either bound does it drop sessions, the least recently used first (found, committed or touched
 * longest ago; their users are logged out). While the store is under both bounds, no live session
 * is ever dropped.
 *
 * Entries sit in a Map and in a doubly linked list in use order; a hit relinks its entry at the
 * new end (a few pointer writes), so every operation is O(1) apart from `findByOwner` (O(sessions
 * of that owner)), `all()` and the sweep. `find` returns the same bytes object until the entry
 * changes or the store moves it (`stableBytes`), and tells `onDrop` listeners when it stops
 * holding one. Committed bytes are copied: sessions up to 1 KiB into shared 64 KiB slabs (no
 * allocation of its own per write), larger ones into a buffer of their own (or kept, when they
 * are a whole buffer already). When the sessions a slab no longer holds leave more than 512 bytes
 * per session it still holds, those are moved, so replaced sessions never take more than 512
 * bytes per stored session, plus one slab.
 */
export class MemoryStore implements Store {
  readonly stableBytes = true;
  /** Most sessions kept (`options.maxEntries`). */
  readonly maxEntries: number;
  /** Most bytes of session data kept (`options.maxBytes`). */
  readonly maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  readonly #lru = new LruList<Entry>();
  /** owner -> tokens whose latest commit carried that owner; kept exact on every write and removal. */
  readonly #owners = new Map<string, Set<string>>();
  #bytes = 0;
  readonly #dropped = new DropListeners();
  readonly #arena = new RecordArena((holder, before) => {
    if (this.#dropped.active) this.#dropped.notify((holder as Entry).token, before, 'replaced');
  });
  readonly #sweeper: BackgroundTask<void>;

  constructor(options: MemoryStoreOptions = {}) {
    if (options === null || typeof options !== 'object') throw optionError('options', 'must be an object', options);
    this.maxEntries = wholeOption('maxEntries', options.maxEntries, 100_000, 1);
    this.maxBytes = wholeOption('maxBytes', options.maxBytes, 64 * 1024 * 1024, 1);
    const interval = intervalOption('sweepInterval', options.sweepInterval, 60_000);
    this.#sweeper = new BackgroundTask(interval, async () => this.sweep(), console.warn);
    reportOwnExpiry(this);
  }

  /** Number of sessions held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes of session data held, expired sessions not yet swept included. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes of the 64 KiB slabs that hold the sessions of up to 1 KiB: their size, at most 512 bytes per stored session left by replaced ones, and one slab. */
  get slabBytes(): number {
    return this.#arena.slabBytes;
  }

  find(token: string): Uint8Array | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#expire(entry);
      return undefined;
    }
    this.#lru.use(entry);
    return entry.data;
  }

  onDrop(listener: DropListener): () => void {
    return this.#dropped.add(listener);
  }

  /** Throws a SessionkitError (and keeps what was stored) for a session larger than `maxBytes`. */
  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    assertOwner(owner, COMPONENT);
    if (expiresAt > Date.now()) this.#write(token, data, expiresAt, owner);
    else this.delete(token);
  }

  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean {
    assertOwner(owner, COMPONENT);
    const now = Date.now();
    const live = this.#live(token, now);
    if (expected === undefined ? live !== undefined : live === undefined || !sameBytes(live.data, expected)) return false;
    if (expiresAt > now) this.#write(token, data, expiresAt, owner);
    else if (live !== undefined) this.#remove(live, 'deleted');
    return true;
  }

  delete(token: string): void {
    const entry = this.#entries.get(token);
    if (entry !== undefined) this.#remove(entry, 'deleted');
  }

  touch(token: string, expiresAt: number): boolean {
    const now = Date.now();
    const entry = this.#live(token, now);
    if (entry === undefined) return false;
    if (!(expiresAt > now)) {
      this.#remove(entry, 'expired');
      return false;
    }
    entry.expiresAt = expiresAt;
    this.#lru.use(entry);
    return true;
  }

  findByOwner(owner: string): OwnedEntry[] {
    // An undefined owner is refused as an empty one.
    assertOwner(owner ?? '', COMPONENT);
    const tokens = this.#owners.get(owner);
    if (tokens === undefined) return [];
    const now = Date.now();
    const found: OwnedEntry[] = [];
    for (const token of tokens) {
      const entry = this.#entries.get(token)!;
      if (entry.expiresAt <= now) this.#expire(entry);
      else found.push({ key: token, data: entry.data, expiresAt: entry.expiresAt });
    }
    return found;
  }

  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    // A snapshot: the caller may commit or delete while iterating.
    const snapshot = [...this.#entries.values()];
    for (const entry of snapshot) {
      if (entry.expiresAt > Date.now() && this.#entries.get(entry.token) === entry) yield [entry.token, entry.data];
    }
  }

  /** Deletes every expired entry now. */
  sweep(): void {
    const now = Date.now();
    for (const entry of this.#entries.values()) if (entry.expiresAt <= now) this.#expire(entry);
  }

  /** Stops the sweep timer. */
  close(): Promise<void> {
    return this.#sweeper.stop();
  }

  /** The entry for `token` if it is live; an expired one is removed. */
  #live(token: string, now: number): Entry | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined || entry.expiresAt > now) return entry;
    this.#expire(entry);
    return undefined;
  }

  #write(token: string, data: Uint8Array, expiresAt: number, owner: string | undefined): void {
    if (data.length > this.maxBytes) {
      throw new SessionkitError(COMPONENT, `a session of ${data.length} bytes is larger than maxBytes (${this.maxBytes})`);
    }
    let entry = this.#entries.get(token);
    if (entry === undefined) {
      entry = new Entry(token, expiresAt);
      this.#arena.place(entry, data);
      this.#entries.set(token, entry);
      this.#lru.insert(entry);
      this.#bytes += entry.data.length;
    } else {
      const replaced = entry.data;
      this.#arena.release(entry);
      this.#arena.place(entry, data);
      this.#bytes += entry.data.length - replaced.length;
      entry.expiresAt = expiresAt;
      this.#lru.use(entry);
      if (this.#dropped.active) this.#dropped.notify(token, replaced, 'replaced');
    }
    if (entry.owner !== owner) this.#setOwner(entry, owner);
    // The entry just written is the newest and fits both bounds alone, so it is never evicted here.
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) this.#evict(this.#lru.oldest!);
  }

  /** Removes an entry to stay within the bounds: an expiry if it had expired unswept, else an eviction. */
  #evict(entry: Entry): void {
    if (entry.expiresAt <= Date.now()) this.#expire(entry);
    else this.#drop(entry);
  }

  /** Removes an entry found past its expiry. */
  #expire(entry: Entry): void {
    const owner = entry.owner;
    this.#remove(entry, 'expired');
    if (lifecycle.expired.hasSubscribers) publishStoreExpired(this, entry.data, owner);
  }

  /** Removes a live entry to stay within the bounds. */
  #drop(entry: Entry): void {
    const owner = entry.owner;
    this.#remove(entry, 'evicted');
    if (lifecycle.evicted.hasSubscribers) publishStoreEvicted(this, entry.data, owner);
  }

  #remove(entry: Entry, reason: DropReason): void {
    this.#arena.release(entry);
    this.#entries.delete(entry.token);
    this.#lru.remove(entry);
    this.#bytes -= entry.data.length;
    if (entry.owner !== undefined) this.#setOwner(entry, undefined);
    if (this.#dropped.active) this.#dropped.notify(entry.token, entry.data, reason);
  }

  #setOwner(entry: Entry, owner: string | undefined): void {
    const previous = entry.owner;
    if (previous !== undefined) {
      const tokens = this.#owners.get(previous)!;
      tokens.delete(entry.token);
      if (tokens.size === 0) this.#owners.delete(previous);
    }
    entry.owner = owner;
    if (owner !== undefined) {
      const tokens = this.#owners.get(owner);
      if (tokens === undefined) this.#owners.set(owner, new Set([entry.token]));
      else tokens.add(entry.token);
    }
  }
}
