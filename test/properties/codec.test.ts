// Properties of both codecs against untrusted bytes: random, truncated, bit-flipped or grown encodings decode to a valid record or a clear error.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { jsonCodec, msgpackCodec, type Codec, type SessionRecord } from '../../src/codec.js';
import { SessionkitError } from '../../src/index.js';
import { inTime, runs, timeoutFor } from './support/runs.js';

const codecs: [Codec, fc.Arbitrary<unknown>][] = [
  // msgpackr renames an own "__proto__" key of a nested object to "__proto_" (its guard against
  // prototype pollution; a unit test pins it), so that one key is left out here.
  [
    msgpackCodec,
    fc.anything({
      key: fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withNullPrototype: true,
      withSparseArray: true,
      maxDepth: 2,
      maxKeys: 4,
    }),
  ],
  [jsonCodec, fc.jsonValue({ maxDepth: 2 })],
];

const sessionValues = (value: fc.Arbitrary<unknown>) =>
  fc.array(fc.tuple(fc.string({ maxLength: 10 }), value), { maxLength: 4 }).map((entries) => new Map(entries));
const deadline = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 48 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d + 0),
);

/** Changes a valid encoding the ways a disk, a network or an attacker would. */
function damaged(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat(Math.max(0, bytes.length - 1));
  return fc.oneof(
    fc.nat(bytes.length).map((n) => bytes.slice(0, n)),
    fc.tuple(at, fc.nat(7)).map(([i, bit]) => {
      const copy = bytes.slice();
      if (copy.length > 0) copy[i]! ^= 1 << bit;
      return copy;
    }),
    fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(([i, byte]) => {
      const copy = bytes.slice();
      if (copy.length > 0) copy[i] = byte;
      return copy;
    }),
    fc.tuple(at, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, extra]) => Buffer.concat([bytes.subarray(0, i), extra, bytes.subarray(i)])),
    fc.tuple(at, fc.nat(8)).map(([i, n]) => Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + n)])),
  );
}

/** The decode contract: a valid record or a SessionkitError of this codec that quotes nothing, never anything else. */
function decodeOrClearError(codec: Codec, bytes: Uint8Array, limitMs = 2000): SessionRecord | undefined {
  try {
    const record = inTime(limitMs, () => codec.decode(bytes));
    expect(Number.isFinite(record.deadline)).toBe(true);
    expect(record.values).toBeInstanceOf(Map);
    for (const key of record.values.keys()) expect(typeof key).toBe('string');
    return record;
  } catch (error) {
    expect(error).toBeInstanceOf(SessionkitError);
    expect((error as Error).message).toMatch(new RegExp(`^sessionkit: ${codec.name} codec: stored bytes are not a session record \\([^()]+\\)$`));
    expect((error as Error).cause).toBeUndefined();
    return undefined;
  }
}

/** A copy with -0 as 0: both codecs bring -0 back as 0 (the two are ===), the one change they make. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [withoutNegativeZero(k), withoutNegativeZero(v)]));
  if (value instanceof Set) return new Set([...value].map(withoutNegativeZero));
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value));
    for (const key of Object.keys(value)) {
      const v = withoutNegativeZero((value as Record<string, unknown>)[key]);
      Object.defineProperty(copy, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}

for (const [codec, value] of codecs) {
  describe(`${codec.name}Codec on untrusted bytes`, () => {
    it(
      'decodes random bytes to a valid record or a clear error',
      () => {
        const bytes = fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
          fc
            .array(fc.constantFrom(0x91, 0x92, 0xdc, 0xdd, 0xde, 0xdf, 0x81, 0xd4, 0xd5, 0xd6, 0xc7, 0xc8, 0xc9, 0x72, 0x40, 0x00, 0xff, 0x5b, 0x7b, 0x22), {
              maxLength: 300,
            })
            .map((a) => Uint8Array.from(a)),
        );
        fc.assert(
          fc.property(bytes, (b) => void decodeOrClearError(codec, b)),
          runs(),
        );
      },
      timeoutFor(),
    );

    it(
      'decodes truncated, bit-flipped, grown or shrunk encodings to a valid record or a clear error',
      () => {
        const encoded = fc.tuple(deadline, sessionValues(value)).map(([d, v]) => codec.encode(d, v));
        fc.assert(
          fc.property(
            encoded.chain((bytes) => damaged(bytes)),
            (bytes) => void decodeOrClearError(codec, bytes),
          ),
          runs(),
        );
      },
      timeoutFor(),
    );

    it(
      'still round-trips after any garbage (a failed decode leaves no state behind)',
      () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 100 }), deadline, sessionValues(value), (garbage, d, values) => {
            decodeOrClearError(codec, garbage);
            const record = codec.decode(codec.encode(d, values));
            expect(record.deadline).toBe(d);
            expect(record.values).toEqual(withoutNegativeZero(values));
          }),
          runs(),
        );
      },
      timeoutFor(),
    );

    it('survives nesting deep enough to exhaust the stack, with a clear error', () => {
      const depth = 200_000;
      const bytes =
        codec === jsonCodec
          ? new TextEncoder().encode(`{"deadline":1,"values":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`)
          : Uint8Array.from([0x92, 0x01, 0x81, 0xa1, 0x61, ...new Array<number>(depth).fill(0x91), 0x01]);
      const record = decodeOrClearError(codec, bytes, 5000);
      if (record !== undefined) expect(record.values.has('a')).toBe(true);
    });
  });
}

describe('msgpackCodec across processes', () => {
  it(
    'writes bytes a fresh decoder reads the same, also after it decoded garbage',
    () => {
      const value = codecs[0]![1];
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), deadline, sessionValues(value), (garbage, d, values) => {
          decodeOrClearError(msgpackCodec, garbage);
          const other = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
          expect(other.unpack(msgpackCodec.encode(d, values))).toEqual([d, withoutNegativeZero(values)]);
        }),
        runs(0.5),
      );
    },
    timeoutFor(0.5),
  );
});

describe('jsonCodec on any value', () => {
  it(
    'stores a value exactly, or refuses it with a SessionkitError naming the key',
    () => {
      const value = fc.anything({
        key: fc.oneof(fc.constant('__proto__'), fc.string({ maxLength: 8 })),
        withBigInt: true,
        withMap: true,
        withSet: true,
        withDate: true,
        withTypedArray: true,
        withNullPrototype: true,
        withSparseArray: true,
        withBoxedValues: true,
        maxDepth: 4,
      });
      fc.assert(
        fc.property(fc.string({ maxLength: 10 }), value, (key, v) => {
          let bytes: Uint8Array;
          try {
            bytes = jsonCodec.encode(1, new Map([[key, v]]));
          } catch (error) {
            expect(error).toBeInstanceOf(SessionkitError);
            expect((error as Error).message.startsWith(`sessionkit: json codec: cannot store the value of key ${JSON.stringify(key)}: it holds`)).toBe(true);
            return;
          }
          expect(withoutNegativeZero(jsonCodec.decode(bytes).values.get(key))).toEqual(withoutNegativeZero(v));
        }),
        runs(),
      );
    },
    timeoutFor(),
  );
});
