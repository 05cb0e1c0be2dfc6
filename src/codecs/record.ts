// Checks shared by the codecs on what they decoded: a finite deadline and a map of string keys, or a clear error.
import type { SessionRecord } from '../codec.js';
import { SessionkitError } from '../errors.js';

/** The error for stored bytes that are not a session record; it never quotes the bytes. */
export function undecodable(codec: string, what: string): SessionkitError {
  return new SessionkitError(`${codec} codec`, `stored bytes are not a session record (${what})`);
}

/** A record from a decoded deadline and values map, or an `undecodable` error. */
export function checkedRecord(codec: string, deadline: unknown, values: Map<unknown, unknown>): SessionRecord {
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) throw undecodable(codec, 'bad deadline');
  for (const key of values.keys()) if (typeof key !== 'string') throw undecodable(codec, 'a key is not a string');
  return { deadline, values: values as Map<string, unknown> };
}
