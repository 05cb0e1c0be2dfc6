// How an LmdbStore reads: alone (cached sessions served from memory) or shared (a fresh snapshot per
// task), and, with `shared: 'auto'`, which of the two the path's registry of stores allows right now.
import type { Database, RootDatabase } from 'lmdb';
import { storeError } from '../src/store-kit.js';
import { type Census, Membership, membershipTimings } from './membership.js';

/** A write that waited for the registry (see Membership.writeWait): run it again in `ms`. */
class Held {
  constructor(readonly ms: number) {}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ReadMode {
  /** Alone on the path (`shared: false`, or `'auto'` while no other store is registered): a cached session is served without reading the record. */
  alone: boolean;
  /** Bumped whenever a cached copy may have gone stale unseen: such copies are checked against the record once before being served alone. */
  generation = 0;
  readonly #records: Database<Uint8Array, string>;
  readonly #component: string;
  /** `shared: 'auto'`: this store's entry in the path's registry; undefined otherwise (or when the environment has no room for it). */
  readonly #members: Membership | undefined;
  /** True while the read snapshot was taken in the current task; always true when alone. */
  #fresh: boolean;
  #lastLook = Number.NEGATIVE_INFINITY;
  #lastEpoch = -1;
  readonly #expire = (): void => {
    this.#fresh = false;
  };

  constructor(
    records: Database<Uint8Array, string>,
    root: RootDatabase,
    options: { shared: boolean | 'auto'; name: string; component: string; onError: (error: unknown) => void },
  ) {
    this.#records = records;
    this.#component = options.component;
    this.alone = this.#fresh = options.shared === false;
    this.#members = options.shared === 'auto' ? register(root, options.name, options.onError) : undefined;
  }

  /**
   * True when a resolved write must drop (or retime) the cached copy it replaced: a find that ran
   * while the write was in flight may have cached the old record, and alone, hits are not checked.
   */
  get tracksWrites(): boolean {
    return this.alone || this.#members !== undefined;
  }

  /** Before a read at `now`: with `shared: 'auto'`, looks at the registry when the last look is `check` ms old. */
  look(now: number): void {
    if (this.#members !== undefined && (now - this.#lastLook >= membershipTimings.check || now < this.#lastLook)) this.#lookAround(now);
  }

  /** Takes a new read snapshot at the first read of each task (nothing when alone). */
  renew(): void {
    if (this.#fresh) return;
    this.#fresh = true;
    this.#records.resetReadTxn();
    queueMicrotask(this.#expire);
  }

  /** Runs `body` in a write transaction; with `shared: 'auto'`, only once the registry lets this store write. */
  transact<T>(body: () => T): Promise<T> {
    const members = this.#members;
    if (members === undefined) return this.#records.transaction(body);
    return this.#records
      .transaction((): T | Held => {
        const wait = members.writeWait(Date.now());
        return wait > 0 ? new Held(wait) : body();
      })
      .then((result) => (result instanceof Held ? sleep(result.ms).then(() => this.transact(body)) : result));
  }

  /** Takes this store's entry out of the registry. */
  async leave(): Promise<void> {
    try {
      await this.#members?.leave();
    } catch {
      // The entry goes stale and another store deletes it.
    }
  }

  /**
   * Reads the registry in a new snapshot and reads alone only while no other store is registered.
   * A change of membership since the last look (or a return to reading alone) makes every cached
   * copy be checked against its record once before it is served alone again.
   */
  #lookAround(now: number): void {
    this.#lastLook = now;
    let census: Census;
    try {
      this.#records.resetReadTxn();
      census = this.#members!.census(now);
    } catch (cause) {
      throw storeError(this.#component, 'read', cause);
    }
    if (census.epoch !== this.#lastEpoch || (census.alone && !this.alone)) this.generation++;
    this.#lastEpoch = census.epoch;
    this.alone = this.#fresh = census.alone;
  }
}

/** Registers the store on the path; undefined (read as `shared: true`) when the environment has no room for the registry. */
function register(root: RootDatabase, name: string, onError: (error: unknown) => void): Membership | undefined {
  try {
    return new Membership(root, name, onError);
  } catch {
    return undefined;
  }
}
