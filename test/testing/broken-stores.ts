// Stores with one bug each, over a MemoryStore, for the tests of the conformance suite: each must fail it.
import { MemoryStore } from '../../src/index.js';
import type { OwnedEntry, Store } from '../../src/store.js';

const HOUR = 60 * 60 * 1000;

/** Forwards every call to a MemoryStore (with no sweep); a broken store overrides one behaviour. */
export class ForwardingStore implements Store {
  readonly inner = new MemoryStore({ sweepInterval: 0 });
  readonly stableBytes: boolean = true;

  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    return this.inner.find(token);
  }

  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void | Promise<void> {
    this.inner.commit(token, data, expiresAt, owner);
  }

  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean | Promise<boolean> {
    return this.inner.commitIf(token, expected, data, expiresAt, owner);
  }

  findByOwner(owner: string): OwnedEntry[] {
    return this.inner.findByOwner(owner);
  }

  delete(token: string): void {
    this.inner.delete(token);
  }

  all(): AsyncIterable<[token: string, data: Uint8Array]> {
    return this.inner.all();
  }

  touch(token: string, expiresAt: number): void | boolean {
    return this.inner.touch(token, expiresAt);
  }

  close(): void {
    this.inner.close();
  }
}

/** Keeps every entry at least an hour, whatever expiry it was given. */
export class NeverExpires extends ForwardingStore {
  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.inner.commit(token, data, Math.max(expiresAt, Date.now() + HOUR), owner);
  }
}

/** touch() of an entry that expired writes it again with the new expiry. */
export class TouchRevives extends ForwardingStore {
  readonly #last = new Map<string, Uint8Array>();

  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.#last.set(token, data.slice());
    this.inner.commit(token, data, expiresAt, owner);
  }

  override delete(token: string): void {
    this.#last.delete(token);
    this.inner.delete(token);
  }

  override touch(token: string, expiresAt: number): void {
    const last = this.#last.get(token);
    if (this.inner.find(token) === undefined && last !== undefined) this.inner.commit(token, last, expiresAt);
    else this.inner.touch(token, expiresAt);
  }
}

/** Drops every zero byte (a C-string habit). */
export class DropsZeroBytes extends ForwardingStore {
  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.inner.commit(
      token,
      data.filter((byte) => byte !== 0),
      expiresAt,
      owner,
    );
  }
}

/** Stores the bytes as UTF-8 text, so invalid sequences come back as U+FFFD. */
export class StoresAsText extends ForwardingStore {
  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.inner.commit(token, new TextEncoder().encode(new TextDecoder().decode(data)), expiresAt, owner);
  }
}

/** all() lists every entry ever committed and not deleted, expired ones included. */
export class AllListsExpired extends ForwardingStore {
  readonly #listed = new Map<string, Uint8Array>();

  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.#listed.set(token, data.slice());
    this.inner.commit(token, data, expiresAt, owner);
  }

  override delete(token: string): void {
    this.#listed.delete(token);
    this.inner.delete(token);
  }

  override async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    yield* [...this.#listed];
  }
}

/**
 * Claims stableBytes and "saves allocations": find copies into the buffer it returned last time
 * when the length still fits, so the object handed out earlier changes under its holder.
 */
export class OverwritesInPlace extends ForwardingStore {
  readonly #buffers = new Map<string, Uint8Array>();

  override find(token: string): Uint8Array | undefined {
    const found = this.inner.find(token);
    if (found === undefined) return undefined;
    let buffer = this.#buffers.get(token);
    if (buffer?.length === found.length) buffer.set(found);
    else this.#buffers.set(token, (buffer = found.slice()));
    return buffer;
  }
}

/** Claims stableBytes but returns a fresh copy from every find. */
export class CopiesWhileClaimingStable extends ForwardingStore {
  override find(token: string): Uint8Array | undefined {
    return this.inner.find(token)?.slice();
  }
}

/** commitIf() ignores `expected`: it always writes. */
export class CommitIfIgnoresExpected extends ForwardingStore {
  override commitIf(token: string, _expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean {
    this.inner.commit(token, data, expiresAt, owner);
    return true;
  }
}

/** commitIf() compares, then writes a turn later, as a read and a separate write over a network would. */
export class CommitIfNotAtomic extends ForwardingStore {
  override async commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean> {
    const current = this.inner.find(token);
    const matches = expected === undefined ? current === undefined : current !== undefined && Buffer.compare(current, expected) === 0;
    await new Promise((resolve) => setImmediate(resolve));
    if (matches) this.inner.commit(token, data, expiresAt, owner);
    return matches;
  }
}

/** touch() says it moved an entry whatever happened. */
export class TouchAlwaysMoved extends ForwardingStore {
  override touch(token: string, expiresAt: number): boolean {
    this.inner.touch(token, expiresAt);
    return true;
  }
}

/** touch() of a missing token creates an empty entry. */
export class TouchCreates extends ForwardingStore {
  override touch(token: string, expiresAt: number): void {
    if (this.inner.find(token) === undefined) this.inner.commit(token, new Uint8Array(0), expiresAt);
    else this.inner.touch(token, expiresAt);
  }
}

/** The owner index forgets to drop deleted entries. */
export class FindByOwnerKeepsDeleted extends ForwardingStore {
  readonly #owned = new Map<string, OwnedEntry & { owner: string }>();

  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    if (owner !== undefined) this.#owned.set(token, { key: token, data: data.slice(), expiresAt, owner });
    this.inner.commit(token, data, expiresAt, owner);
  }

  override findByOwner(owner: string): OwnedEntry[] {
    const found = this.inner.findByOwner(owner);
    for (const entry of this.#owned.values()) {
      if (entry.owner === owner && entry.expiresAt > Date.now() && !found.some((listed) => listed.key === entry.key)) {
        found.push({ key: entry.key, data: entry.data, expiresAt: entry.expiresAt });
      }
    }
    return found;
  }
}

/** A conditional insert over an expired entry keeps that entry's owner (the new owner is never indexed). */
export class CommitIfKeepsExpiredOwner extends ForwardingStore {
  readonly #owners = new Map<string, string | undefined>();

  override commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void {
    this.#owners.set(token, owner);
    this.inner.commit(token, data, expiresAt, owner);
  }

  override commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean {
    const kept = expected === undefined && this.#owners.has(token) ? this.#owners.get(token) : owner;
    return this.inner.commitIf(token, expected, data, expiresAt, kept);
  }
}
