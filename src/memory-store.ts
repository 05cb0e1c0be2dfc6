// MemoryStore: the default store, a bounded LRU of copied bytes with lazy expiry and an unref'd sweep.
import { optionError } from './errors.js';
import type { Store } from './store.js';

export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently used are dropped. Default 100 000. */
  maxEntries?: number;
  /** How often expired entries are swept, ms; 0 turns the sweep off (expiry is still checked on read). Default 60 000. */
  sweepInterval?: number;
}

interface Entry {
  data: Uint8Array;
  expiresAt: number;
}

/**
 * In-process sessions: nothing survives a restart and nothing is shared between processes.
 * Reads and writes are synchronous. Bounded by `maxEntries`, so memory can never grow without
 * bound: when full, the least recently used sessions are dropped (their users are logged out).
 *
 * The LRU is quick-lru's two generations: new and used entries go to the young Map; when it holds
 * half of `maxEntries`, it becomes the old one and the previous old Map is dropped whole. A hit in
 * the old Map moves the entry to the young one. Every operation is O(1), and no Map ever deletes
 * and re-inserts one key over and over (in V8 that leaves deleted slots that slow later lookups).
 * A session is dropped only once `maxEntries / 2 - 1` others were stored or used since its last use.
 */
export class MemoryStore implements Store {
  readonly stableBytes = true;
  readonly maxEntries: number;
  private readonly generation: number;
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor({ maxEntries = 100_000, sweepInterval = 60_000 }: MemoryStoreOptions = {}) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 2) throw optionError('maxEntries', 'must be a whole number, 2 or more', maxEntries);
    if (typeof sweepInterval !== 'number' || !Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw optionError('sweepInterval', 'must be a finite number of ms, 0 or more (0 = off)', sweepInterval);
    }
    this.maxEntries = maxEntries;
    this.generation = maxEntries >> 1;
    if (sweepInterval > 0) {
      this.timer = setInterval(() => this.sweep(), sweepInterval);
      this.timer.unref();
    }
  }

  /** Number of entries held, expired ones not yet swept included. */
  get size(): number {
    return this.young.size + this.old.size;
  }

  find(token: string): Uint8Array | undefined {
    let entry = this.young.get(token);
    if (entry === undefined) {
      entry = this.old.get(token);
      if (entry === undefined) return undefined;
      this.old.delete(token);
      if (entry.expiresAt <= Date.now()) return undefined;
      this.insert(token, entry);
      return entry.data;
    }
    if (entry.expiresAt <= Date.now()) {
      this.young.delete(token);
      return undefined;
    }
    return entry.data;
  }

  commit(token: string, data: Uint8Array, expiresAt: number): void {
    if (!(expiresAt > Date.now())) {
      this.delete(token);
      return;
    }
    const entry = this.young.get(token);
    if (entry !== undefined) {
      entry.data = data.slice();
      entry.expiresAt = expiresAt;
      return;
    }
    this.old.delete(token);
    this.insert(token, { data: data.slice(), expiresAt });
  }

  delete(token: string): void {
    this.young.delete(token);
    this.old.delete(token);
  }

  touch(token: string, expiresAt: number): void {
    const entry = this.young.get(token) ?? this.old.get(token);
    if (entry === undefined) return;
    if (expiresAt > Date.now()) entry.expiresAt = expiresAt;
    else this.delete(token);
  }

  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    // A snapshot: the caller may commit or delete while iterating, which moves entries between Maps.
    const snapshot = [...this.old, ...this.young];
    for (const [token, entry] of snapshot) {
      if (entry.expiresAt > Date.now() && (this.young.get(token) ?? this.old.get(token)) === entry) yield [token, entry.data];
    }
  }

  /** Deletes every expired entry now. */
  sweep(): void {
    const now = Date.now();
    for (const map of [this.young, this.old]) {
      for (const [token, entry] of map) if (entry.expiresAt <= now) map.delete(token);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private insert(token: string, entry: Entry): void {
    this.young.set(token, entry);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
