// Building and publishing lifecycle payloads; every caller checks the channel's hasSubscribers first, so nobody listening costs one property read.
import type { Codec } from './codec.js';
import { type DestroyedEvent, type ExpiredEvent, lifecycle, type RefusedEvent } from './events.js';
import { handleOf, userIdOf } from './identity.js';
import type { Store } from './store.js';

/** The codec a manager reads each store with, so a store's own events (expiry, eviction) can name the session's handle. */
const codecs = new WeakMap<Store, Codec>();

/** The store names of the components that raise store errors (the names the other events use). */
const COMPONENT_STORES: Readonly<Record<string, string>> = {
  'memory store': 'MemoryStore',
  'lmdb store': 'LmdbStore',
  'redis store': 'RedisStore',
  'postgres store': 'PostgresStore',
  'mysql store': 'MySqlStore',
};

/** Stores that publish `expired` themselves when they find or sweep an expired session. */
const selfReporting = new WeakSet<Store>();

/** For stores: declares that `store` publishes its own expiries, so a load that finds one past its deadline does not. */
export function reportOwnExpiry(store: Store): void {
  selfReporting.add(store);
}

export function reportsOwnExpiry(store: Store): boolean {
  return selfReporting.has(store);
}

/** A store's name in payloads: its class name. */
export function storeNameOf(store: Store): string {
  const name = (store as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'store';
}

/** Lets the store's own events decode the sessions it drops with `codec`. */
export function describeStoreWith(store: Store, codec: Codec): void {
  codecs.set(store, codec);
}

/** Publishes a session's event on `target`: the store, handle and user id read from its values. */
export function publishSession(target: (typeof lifecycle)[keyof typeof lifecycle], store: string, values: ReadonlyMap<string, unknown>): void {
  target.publish({ store, handle: handleOf(values) || undefined, userId: userIdOf(values) });
}

export function publishDestroyed(store: string, handle: string, userId: string | undefined, reason: DestroyedEvent['reason']): void {
  const event: DestroyedEvent = { store, handle: handle || undefined, userId, reason };
  lifecycle.destroyed.publish(event);
}

/** A load found a stored session past its deadline. */
export function publishLoadExpired(store: string, values: ReadonlyMap<string, unknown>): void {
  const event: ExpiredEvent = { store, handle: handleOf(values) || undefined, userId: userIdOf(values), source: 'load' };
  lifecycle.expired.publish(event);
}

export function publishMerged(store: string, values: ReadonlyMap<string, unknown>, rounds: number): void {
  lifecycle.merged.publish({ store, handle: handleOf(values) || undefined, userId: userIdOf(values), rounds });
}

export function publishRefused(store: string, values: ReadonlyMap<string, unknown>, reason: RefusedEvent['reason'], bytes: number): void {
  const event: RefusedEvent = { store, handle: handleOf(values) || undefined, userId: userIdOf(values), reason, bytes };
  lifecycle.refused.publish(event);
}

/** A store failed; `component` is the store's error component (`redis store`), `error` already sanitized. */
export function publishStoreError(component: string, operation: string, error: Error): void {
  lifecycle.storeError.publish({ store: COMPONENT_STORES[component] ?? component, operation, error });
}

/** For stores: `store` removed a session past its expiry (`data`: its bytes, `owner`: its owner if known). */
export function publishStoreExpired(store: Store, data: Uint8Array, owner: string | undefined): void {
  const event: ExpiredEvent = { store: storeNameOf(store), handle: undefined, userId: owner, source: 'store' };
  describeBytes(store, data, event);
  lifecycle.expired.publish(event);
}

/** For stores: `store` dropped a live session to stay within a capacity bound. */
export function publishStoreEvicted(store: Store, data: Uint8Array, owner: string | undefined): void {
  const event = { store: storeNameOf(store), handle: undefined as string | undefined, userId: owner };
  describeBytes(store, data, event);
  lifecycle.evicted.publish(event);
}

/** Fills in the handle and user id from a session's stored bytes, when a manager has said how to read them. */
function describeBytes(store: Store, data: Uint8Array, event: { handle: string | undefined; userId: string | undefined }): void {
  const codec = codecs.get(store);
  if (codec === undefined) return;
  try {
    const { values } = codec.decode(data);
    event.handle = handleOf(values) || undefined;
    event.userId = userIdOf(values) ?? event.userId;
  } catch {
    // Garbled bytes: the event names the store and owner only.
  }
}
