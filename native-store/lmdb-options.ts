// The options of `new LmdbStore(options)`, documented for users; validated in the store's constructor.
import type { RootDatabase, RootDatabaseOptions } from 'lmdb';

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
  /** Called with a failed background sweep's error (or a failed renewal of the store's entry in the registry of `shared: 'auto'`). Default: `console.error`. */
  onSweepError?: (error: unknown) => void;
  /**
   * Whether other processes (or other stores on this path and `name`) may write while this store is
   * open. `true` (default): every task's first read takes a new snapshot and checks a cached
   * session against the record, so it sees every save that resolved before the task began, in any
   * process. `false` declares this store the only writer: a cached session is served from memory
   * until it expires or this store writes it, other reads use the current snapshot (renewed by this
   * store's own saves before they resolve), and another process's saves can be missed. `'auto'`:
   * the stores on a path register in a small database of their own; while no other store is
   * registered this one reads alone (as with `false`), and as soon as another registers it reads as
   * with `true`. A store that joins others holds its writes for a quarter of a second, so that they
   * know of it first. Every store on the path must use `'auto'` (stores with `true` or `false` do not register).
   */
  shared?: boolean | 'auto';
}
