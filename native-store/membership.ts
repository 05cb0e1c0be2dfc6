// The stores open on one LMDB path and name, registered in a database of their own: how a store with
// `shared: 'auto'` knows whether it is alone, and how a store that joins others makes sure they know before it writes.
import { randomBytes } from 'node:crypto';
import type { Database, RootDatabase } from 'lmdb';

/** Timings of the protocol, in ms; tests shorten them. */
export const membershipTimings = {
  /** A store that reads alone looks at the registry again after this long (on its next read). */
  check: 100,
  /** A store that joins others writes nothing for this long after its registration committed. */
  hold: 250,
  /** How often a store renews its entry. */
  heartbeat: 1000,
  /** An entry not renewed for this long belongs to a store that is gone; any member deletes it. */
  stale: 10_000,
};

interface Member {
  /** When the store last renewed its entry. */
  beat: number;
  /** Before this time the store writes nothing (it joined others, who may not know yet). */
  holdUntil: number;
}

interface Epoch {
  /** Counts every change of membership: a store that sees it change re-checks what it cached. */
  epoch: number;
}

const EPOCH_KEY = 'epoch';
const MEMBER_PREFIX = 'store:';

/** What a look at the registry found. */
export interface Census {
  epoch: number;
  /** No other live store is registered, and this store's own entry is there and recent. */
  alone: boolean;
}

/**
 * This store's entry in the registry. Why it is safe for a store that is alone to serve its cached
 * sessions without reading them: a store that joins while others are registered holds its writes
 * for `hold` ms after its registration committed, and a store alone looks at the registry at least
 * every `check` ms (< `hold`) before it serves a read, so it sees the newcomer, and turns to
 * checking every read against the record, before the newcomer's first write. A change of
 * membership bumps the epoch, which makes a store re-check everything it cached (a store that came,
 * wrote and left between two looks). A store deletes entries only of stores gone quiet for `stale`
 * ms, and a store whose own entry is older than half of that does not count itself alone; a store
 * that finds its entry deleted registers again, holding its writes.
 */
export class Membership {
  readonly #registry: Database<Member | Epoch, string>;
  readonly #key = `${MEMBER_PREFIX}${randomBytes(12).toString('base64url')}`;
  readonly #beat: NodeJS.Timeout;

  constructor(root: RootDatabase, name: string, onError: (error: unknown) => void) {
    this.#registry = root.openDB<Member | Epoch, string>(`${name}:stores`, {});
    this.#beat = setInterval(() => this.heartbeat().catch(onError), membershipTimings.heartbeat);
    this.#beat.unref();
    this.heartbeat().catch(onError);
  }

  /** Reads the registry in the current read snapshot (the caller renews it first). */
  census(now: number): Census {
    const epoch = (this.#registry.get(EPOCH_KEY) as Epoch | undefined)?.epoch ?? 0;
    let alone = false;
    let others = 0;
    for (const { key, value } of this.#registry.getRange({ start: MEMBER_PREFIX, end: `${MEMBER_PREFIX}\uffff` })) {
      const member = value as Member;
      if (key === this.#key) alone = member.beat > now - membershipTimings.stale / 2;
      else if (member.beat > now - membershipTimings.stale) others++;
    }
    return { epoch, alone: alone && others === 0 };
  }

  /**
   * Inside a write transaction: 0 when this store may write now, else how long it must wait. A
   * store whose entry is gone registers again here, holding its writes if others are registered.
   */
  writeWait(now: number): number {
    const own = this.#registry.get(this.#key) as Member | undefined;
    const holdUntil = own === undefined ? this.#join(now) : own.holdUntil;
    return holdUntil > now ? holdUntil - now : 0;
  }

  /** Renews this store's entry (registering it if missing) and deletes the entries of stores gone quiet. */
  heartbeat(): Promise<unknown> {
    return this.#registry.transaction(() => {
      const now = Date.now();
      const gone: string[] = [];
      for (const { key, value } of this.#registry.getRange({ start: MEMBER_PREFIX, end: `${MEMBER_PREFIX}\uffff` })) {
        if (key !== this.#key && (value as Member).beat <= now - membershipTimings.stale) gone.push(key);
      }
      for (const key of gone) this.#registry.remove(key);
      const own = this.#registry.get(this.#key) as Member | undefined;
      if (own === undefined) this.#join(now);
      else this.#registry.put(this.#key, { beat: now, holdUntil: own.holdUntil });
      if (gone.length > 0) this.#bump();
    });
  }

  /** Removes this store's entry and stops renewing it. */
  leave(): Promise<unknown> {
    clearInterval(this.#beat);
    return this.#registry.transaction(() => {
      if (this.#registry.get(this.#key) === undefined) return;
      this.#registry.remove(this.#key);
      this.#bump();
    });
  }

  /** Registers this store (inside a write transaction); returns the time before which it writes nothing. */
  #join(now: number): number {
    let others = false;
    for (const { key, value } of this.#registry.getRange({ start: MEMBER_PREFIX, end: `${MEMBER_PREFIX}\uffff` })) {
      if (key !== this.#key && (value as Member).beat > now - membershipTimings.stale) others = true;
    }
    const holdUntil = others ? now + membershipTimings.hold : 0;
    this.#registry.put(this.#key, { beat: now, holdUntil });
    this.#bump();
    return holdUntil;
  }

  #bump(): void {
    const epoch = (this.#registry.get(EPOCH_KEY) as Epoch | undefined)?.epoch ?? 0;
    this.#registry.put(EPOCH_KEY, { epoch: epoch + 1 });
  }
}
