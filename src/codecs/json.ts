// jsonCodec: sessions as JSON text, for stores shared with tools that read JSON; refuses values JSON would change.
import type { Codec } from '../codec.js';
import { SessionkitError } from '../errors.js';
import { checkJsonValue } from './json-check.js';
import { checkedRecord, undecodable } from './record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON codec for stores shared with tools that read JSON. Values must be plain data: strings,
 * finite numbers, booleans, null, arrays and plain objects of these. Anything JSON would bring
 * back as something else (Map, Set, Date, bigint, bytes, undefined, NaN, class instances) makes
 * `encode` throw a `SessionkitError` naming the key, and nothing is stored.
 */
export const jsonCodec: Codec = {
  name: 'json',
  encode(deadline, values) {
    if (!Number.isFinite(deadline)) throw new SessionkitError('json codec', 'cannot store a session whose deadline is not a finite number');
    // No prototype, so a "__proto__" key is stored as an ordinary property.
    const object: Record<string, unknown> = Object.create(null);
    for (const [key, value] of values) {
      if (typeof key !== 'string') throw new SessionkitError('json codec', 'cannot store a session key that is not a string');
      checkJsonValue(key, value);
      object[key] = value;
    }
    return encoder.encode(JSON.stringify({ deadline, values: object }));
  },
  decode(data) {
    let record: unknown;
    try {
      record = JSON.parse(decoder.decode(data));
    } catch {
      // JSON.parse's messages quote the input, so only the kind of failure is kept.
      throw undecodable('json', 'not UTF-8 JSON');
    }
    if (record === null || typeof record !== 'object') throw undecodable('json', 'not an object');
    const { deadline, values } = record as { deadline?: unknown; values?: unknown };
    if (values === null || typeof values !== 'object' || Array.isArray(values)) throw undecodable('json', 'values are not an object');
    return checkedRecord('json', deadline, new Map(Object.entries(values)));
  },
};
