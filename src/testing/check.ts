// What a conformance check is: a named async function over an open store that throws when the store breaks a rule.
import type { Store } from '../store.js';

/** Options of the conformance suite (the third argument of `storeConformance`). */
export interface ConformanceOptions {
  /**
   * The `all()` group. Default `true`: the group runs, and a store without `all()` fails it with
   * a message saying to pass `false`. `false` skips the group.
   */
  all?: boolean;
  /**
   * The `touch()` group. Default `true`: the group runs, and a store without `touch()` fails it
   * with a message saying to pass `false`. `false` skips the group.
   */
  touch?: boolean;
  /**
   * The `commitIf()` group. Default: it runs when the store has `commitIf()` and is skipped when
   * it has not; `true` requires the method, `false` skips the group.
   */
  commitIf?: boolean;
  /**
   * The `findByOwner()` group. Default: it runs when the store has `findByOwner()` and is skipped
   * when it has not; `true` requires the method, `false` skips the group.
   */
  findByOwner?: boolean;
  /**
   * The `events` group: a SessionManager over the store publishes each lifecycle event once per
   * occurrence, and no token or value. Default `true`; `false` skips the group.
   */
  events?: boolean;
  /** Size of the big-session test, bytes; default 1 MiB. */
  bigSession?: number;
  /** Extra ms after an expiry before the entry must be gone (clock skew with a server); default 5. */
  expirySlack?: number;
}

/** What a check gets besides the store. */
export interface CheckContext {
  /** The store's name, as given to the suite. */
  readonly name: string;
  readonly options: ConformanceOptions;
  /** Opens another store (the close() check needs its own). */
  readonly factory: () => Store | Promise<Store>;
  /** Ends the check as skipped (a capability the store lacks and was not required). */
  skip(reason: string): never;
}

/** One rule of the Store contract, checked. */
export interface Check {
  /** The group the check belongs to (`all()`, `touch()`, ...), or '' for the basic rules. */
  readonly group: string;
  /** What the store does when it passes; unique within its group. */
  readonly name: string;
  /** A longer time limit than the runner's default, in ms. */
  readonly timeout?: number;
  /** Resolves when the store keeps the rule, throws (an assertion error) when it does not. */
  run(store: Store, context: CheckContext): Promise<void>;
}

/** Adds `group` to each check. */
export function group(name: string, checks: Omit<Check, 'group'>[]): Check[] {
  return checks.map((check) => ({ ...check, group: name }));
}
