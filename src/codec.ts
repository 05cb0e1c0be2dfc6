// The Codec contract: how a session (deadline + values) becomes bytes for a store and back; the shipped codecs live in codecs/.

/** A decoded session record: the absolute deadline (ms since epoch) and the values. */
export interface SessionRecord {
  /** The session's absolute deadline, ms since epoch. */
  deadline: number;
  /** The session's values by key, sessionkit's own keys included. */
  values: Map<string, unknown>;
}

/**
 * Encodes and decodes session records. `encode` throws a `SessionkitError` for values it cannot
 * store faithfully (nothing is written then). `decode` throws on bytes it cannot read; the manager
 * then starts a fresh session and reports the error through `onError`.
 */
export interface Codec {
  /** A short name for errors and logs, e.g. `msgpack`. */
  readonly name: string;
  /**
   * The bytes a store keeps for this deadline and these values: new bytes on every call, which the
   * codec never writes again, so a store may keep them without a copy. Return a plain Uint8Array
   * over the whole of its own buffer where you can: a view into a larger buffer is copied by a
   * store that keeps it (see the Store contract).
   */
  encode(deadline: number, values: ReadonlyMap<string, unknown>): Uint8Array;
  /** The record `encode` made these bytes from; throws on bytes it cannot read. */
  decode(data: Uint8Array): SessionRecord;
}

export { msgpackCodec } from './codecs/msgpack.js';
export { jsonCodec } from './codecs/json.js';
