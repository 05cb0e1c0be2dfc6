// What a decoded session costs in the heap, estimated from its encoded size and the shape of its values.

/** The record, its values Map and the Map's table, and the cache's slot for it. */
const RECORD_BYTES = 512;
/** An object's or array's header and the rest of its backing store. */
const CONTAINER_BYTES = 64;
/** A Map entry or an object property: its slots, and the header of its key string. */
const ENTRY_BYTES = 48;
/** An array or Set element's slot. */
const ELEMENT_BYTES = 16;
/** A string's header, a boxed number, a Date or a BigInt. */
const SMALL_BYTES = 24;

/** Each large string or binary value sits on its own heap pages: about 1% more than its length. */
const LARGE_OBJECT_SHIFT = 6;

/** Values still to visit: reused, so that a walk allocates nothing once it has grown. */
const pending: unknown[] = [];
let total = 0;

/**
 * An upper estimate of the heap a decoded session takes, in bytes: `encodedLength` (the codecs
 * store strings as UTF-8, which takes at least as many bytes as V8's one- or two-byte strings, and
 * binary values as themselves) plus a fixed cost per record, container, entry and element. The
 * fixed costs are what V8 was measured to take for each shape (small objects, arrays of strings,
 * numbers, maps, empty objects), rounded up, so that a session made of many tiny values (where the
 * heap can be 50 times the encoded size) is weighed as what it costs.
 */
export function decodedSize(encodedLength: number, values: ReadonlyMap<string, unknown>): number {
  total = RECORD_BYTES + encodedLength + (encodedLength >>> LARGE_OBJECT_SHIFT) + values.size * ENTRY_BYTES;
  try {
    values.forEach(visit);
    while (pending.length !== 0) visit(pending.pop());
  } finally {
    // Only after a walk that threw (a getter, a proxy): empty by pops, as `length = 0` would free
    // the backing store and make every later walk allocate it again.
    while (pending.length !== 0) pending.pop();
  }
  return total;
}

function visit(value: unknown): void {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
      total += SMALL_BYTES;
      return;
    case 'object':
      if (value !== null) weighObject(value);
      return;
    default:
  }
}

function weighObject(value: object): void {
  total += CONTAINER_BYTES;
  if (Array.isArray(value)) {
    total += value.length * ELEMENT_BYTES;
    for (let i = 0; i < value.length; i++) pending.push(value[i]);
  } else if (ArrayBuffer.isView(value)) {
    total += value.byteLength;
  } else if (value instanceof Map) {
    total += value.size * ENTRY_BYTES;
    value.forEach(pushEntry);
  } else if (value instanceof Set) {
    total += value.size * ELEMENT_BYTES;
    value.forEach(pushValue);
  } else if (!(value instanceof Date)) {
    for (const key in value) {
      total += ENTRY_BYTES;
      pending.push((value as Record<string, unknown>)[key]);
    }
  }
}

function pushEntry(entryValue: unknown, key: unknown): void {
  pending.push(entryValue, key);
}

function pushValue(value: unknown): void {
  pending.push(value);
}
