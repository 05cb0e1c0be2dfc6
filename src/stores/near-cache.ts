// RedisStore's near cache: a bounded LRU of session bytes that trusts an entry only while tracking has stayed up since it was read.
import { durationOption, LruList, type LruNode, optionError, wholeOption } from '../store-kit.js';

/** The near cache's bounds. */
export interface NearCacheOptions {
  /** Most sessions kept. Default 10,000. */
  maxEntries?: number;
  /** Most bytes kept, counting each session's bytes, its key (2 bytes a character) and 160 bytes of overhead per entry. Default 64 MiB. */
  maxBytes?: number;
  /** ms after its read from Redis that an entry is no longer served, whatever tracking says; 0 (default) = no cap. */
  maxStaleness?: number;
}

/** What the near cache did, and what it holds now. */
export interface NearCacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads that went to Redis. */
  misses: number;
  /** Keys Redis reported changed by another writer (another process, redis-cli, this store's other connection): saves the store makes on its tracked connection are not reported back. */
  invalidations: number;
  /** Times the whole cache was dropped: a connection lost or re-established, tracking lost, a topology change, or Redis flushing its tracking table. */
  flushes: number;
  /** Sessions held. */
  entries: number;
  /** Bytes held, as counted against `maxBytes`. */
  bytes: number;
  /** True while every invalidation connection is up and entries may be served. */
  tracking: boolean;
}

/** Bytes counted per entry beside its data and key: the entry object, its map slot and links. */
export const ENTRY_OVERHEAD = 160;

interface Entry extends LruNode<Entry> {
  readonly key: string;
  readonly data: Uint8Array;
  /** ms since epoch; the entry is live while Date.now() < expiresAt. */
  readonly expiresAt: number;
  /** When the read that brought it began (Date.now()), for maxStaleness. */
  readonly readAt: number;
  readonly epoch: number;
  readonly size: number;
}

/** A key's invalidation count while reads of it are in flight. */
interface InFlight {
  generation: number;
  reads: number;
}

/** What a read holds from its start to the moment its answer may be filed. */
export interface ReadTicket {
  readonly key: string;
  readonly epoch: number;
  readonly generation: number;
  readonly startedAt: number;
  readonly inFlight: InFlight;
}

/** Reads `nearCache: true | {...}`; undefined or false turns it off. */
export function nearCacheOptions(value: unknown): Required<NearCacheOptions> | undefined {
  if (value === undefined || value === false) return undefined;
  const options = (value === true ? {} : value) as NearCacheOptions;
  if (options === null || typeof options !== 'object') throw optionError('nearCache', 'must be true, false or an object', value);
  return {
    maxEntries: wholeOption('nearCache.maxEntries', options.maxEntries, 10_000, 1),
    maxBytes: wholeOption('nearCache.maxBytes', options.maxBytes, 64 << 20, 1),
    maxStaleness: durationOption('nearCache.maxStaleness', options.maxStaleness, 0, true),
  };
}

/**
 * The entries and the rules for trusting them. `epoch` moves on every loss or re-establishment of
 * tracking, and `flush()` empties the cache with it; an entry is served only while `trusted` and
 * only if it was filed in the current epoch. A read takes a ticket before it goes to Redis; an
 * invalidation of its key, or a new epoch, while it is in flight keeps its answer out of the cache.
 */
export class NearCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxStaleness: number;
  readonly #entries = new Map<string, Entry>();
  #lru = new LruList<Entry>();
  readonly #inFlight = new Map<string, InFlight>();
  #bytes = 0;
  #epoch = 0;
  #trusted = false;
  #hits = 0;
  #misses = 0;
  #invalidations = 0;
  #flushes = 0;

  constructor(options: Required<NearCacheOptions>) {
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#maxStaleness = options.maxStaleness;
  }

  /** The cached bytes of `key`, or undefined (then the caller reads Redis). */
  get(key: string): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || !this.#trusted || entry.epoch !== this.#epoch) {
      this.#misses++;
      return undefined;
    }
    const now = Date.now();
    if (now >= entry.expiresAt || (this.#maxStaleness > 0 && now - entry.readAt > this.#maxStaleness)) {
      this.#remove(entry);
      this.#misses++;
      return undefined;
    }
    this.#lru.use(entry);
    this.#hits++;
    return entry.data;
  }

  /** Starts a read of `key` from Redis; pass the ticket to {@link NearCache.file} or {@link NearCache.abandon}. */
  begin(key: string): ReadTicket {
    let inFlight = this.#inFlight.get(key);
    if (inFlight === undefined) {
      inFlight = { generation: 0, reads: 0 };
      this.#inFlight.set(key, inFlight);
    }
    inFlight.reads++;
    return { key, epoch: this.#epoch, generation: inFlight.generation, startedAt: Date.now(), inFlight };
  }

  /**
   * Files what a read returned, unless tracking was not up when it began or went down since (the
   * epoch moved), or the
   * key was invalidated meanwhile (the answer may predate that write). Returns the bytes to hand out.
   */
  file(ticket: ReadTicket, data: Uint8Array, expiresAt: number): Uint8Array {
    return this.#fileIfCurrent(ticket, data, expiresAt) ?? data;
  }

  /**
   * Starts a write of `key` on the tracked connection. Reads in flight are spoiled (their answers
   * may be handled after the write's, and with NOLOOP Redis does not report the write); the entry
   * is still served meanwhile, as the write has not happened for anyone who has not seen it
   * resolve. End it with {@link NearCache.written} or {@link NearCache.unwritten}.
   */
  beginWrite(key: string): ReadTicket {
    const inFlight = this.#inFlight.get(key);
    if (inFlight !== undefined) inFlight.generation++;
    return this.begin(key);
  }

  /** Redis wrote `data` (and tracks the key again): files it, or drops the key if anything changed it since the write began. */
  written(ticket: ReadTicket, data: Uint8Array, expiresAt: number): void {
    if (this.#fileIfCurrent(ticket, data, expiresAt) === undefined) this.invalidate(ticket.key, false);
  }

  /** The write failed, was refused or may or may not have been applied: drops the key. */
  unwritten(ticket: ReadTicket): void {
    this.abandon(ticket);
    this.invalidate(ticket.key, false);
  }

  /** Files `data` and returns the copy kept, unless the ticket is spoiled or the entry cannot be kept. */
  #fileIfCurrent(ticket: ReadTicket, data: Uint8Array, expiresAt: number): Uint8Array | undefined {
    const current = ticket.inFlight.generation === ticket.generation && ticket.epoch === this.#epoch && this.#trusted;
    this.abandon(ticket);
    const size = data.byteLength + 2 * ticket.key.length + ENTRY_OVERHEAD;
    if (!current || size > this.#maxBytes || !(Date.now() < expiresAt)) return undefined;
    const copy = new Uint8Array(data); // a copy: the driver's Buffer may be a view of a larger socket buffer (and Buffer#slice does not copy)
    this.#evict(ticket.key);
    const entry: Entry = {
      key: ticket.key,
      data: copy,
      expiresAt,
      readAt: ticket.startedAt,
      epoch: this.#epoch,
      size,
      newer: undefined,
      older: undefined,
    };
    this.#entries.set(entry.key, entry);
    this.#lru.insert(entry);
    this.#bytes += size;
    this.#trim();
    return copy;
  }

  /** Ends a read whose answer is not filed. */
  abandon(ticket: ReadTicket): void {
    if (--ticket.inFlight.reads === 0 && this.#inFlight.get(ticket.key) === ticket.inFlight) this.#inFlight.delete(ticket.key);
  }

  /** `key` changed (a write of ours, or an invalidation from Redis): drops it and spoils reads of it in flight. */
  invalidate(key: string, fromRedis: boolean): void {
    if (fromRedis) this.#invalidations++;
    const inFlight = this.#inFlight.get(key);
    if (inFlight !== undefined) inFlight.generation++;
    this.#evict(key);
  }

  /** Drops everything and starts a new epoch: reads in flight are not filed. */
  flush(): void {
    this.#epoch++;
    this.#flushes++;
    this.#entries.clear();
    this.#lru = new LruList<Entry>();
    this.#bytes = 0;
  }

  /** Whether entries may be served: true only while every invalidation connection is up. Any change flushes. */
  set trusted(trusted: boolean) {
    if (trusted === this.#trusted) return;
    this.flush();
    this.#trusted = trusted;
  }

  get trusted(): boolean {
    return this.#trusted;
  }

  stats(): NearCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      invalidations: this.#invalidations,
      flushes: this.#flushes,
      entries: this.#entries.size,
      bytes: this.#bytes,
      tracking: this.#trusted,
    };
  }

  #evict(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(entry);
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry.key);
    this.#lru.remove(entry);
    this.#bytes -= entry.size;
  }

  #trim(): void {
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#lru.oldest;
      if (oldest === undefined) return;
      this.#remove(oldest);
    }
  }
}
