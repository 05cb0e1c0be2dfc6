// Properties of both codecs against untrusted bytes: random, truncated, bit-flipped or grown encodings decode to a valid record or a clear error.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { jsonCodec, msgpackCodec, type Codec, type SessionRecord } from '../../src/codec.js';
import { SessionkitError } from '../../src/index.js';
import { anyText, anyValue, storableValue } from './support/codec-values.js';
import { inTime, runs, timeoutFor } from './support/runs.js';

// msgpackr renames an own "__proto__" key of a nested object to "__proto_" (its guard against
// prototype pollution; a unit test pins it), so storableValue leaves that one key out.
const codecs: [Codec, fc.Arbitrary<unknown>][] = [
  [msgpackCodec, storableValue],
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

/**
 * A value as both codecs bring it back: -0 as 0 (the two are ===) and objects without a prototype
 * as plain objects; everything else must come back exactly.
 */
function asDecoded(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
    // A hole stays a hole, so that a codec filling it in is caught.
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) if (i in value) copy[i] = asDecoded(value[i]);
    return copy;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [asDecoded(k), asDecoded(v)]));
  if (value instanceof Set) return new Set([...value].map(asDecoded));
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = asDecoded((value as Record<string, unknown>)[key]);
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
            expect(record.values).toStrictEqual(asDecoded(values));
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
          expect(other.unpack(msgpackCodec.encode(d, values))).toStrictEqual([d, asDecoded(values)]);
        }),
        runs(0.5),
      );
    },
    timeoutFor(0.5),
  );
});

for (const codec of [msgpackCodec, jsonCodec]) {
  describe(`${codec.name}Codec on any value`, () => {
    it(
      'stores a value exactly, or refuses it with a SessionkitError naming the key (full Unicode, lone surrogates and boxed primitives included)',
      () => {
        // msgpackr renames a nested own "__proto__" key (a unit test pins it); JSON keeps it, so it is tried there.
        const keys = codec === jsonCodec ? fc.oneof(fc.constant('__proto__'), anyText(8)) : anyText(8).filter((k) => k !== '__proto__');
        fc.assert(
          fc.property(anyText(10), anyValue(keys), (key, v) => {
            let bytes: Uint8Array;
            try {
              bytes = codec.encode(1, new Map([[key, v]]));
            } catch (error) {
              expect(error).toBeInstanceOf(SessionkitError);
              const quoted = JSON.stringify(key);
              const message = (error as Error).message;
              const prefix = `sessionkit: ${codec.name} codec: cannot store the `;
              expect(
                message.startsWith(`${prefix}value of key ${quoted}: it holds`) || message.startsWith(`${prefix}key ${quoted}: it has a lone surrogate`),
              ).toBe(true);
              return;
            }
            expect(codec.decode(bytes).values).toStrictEqual(new Map([[key, asDecoded(v)]]));
          }),
          runs(),
        );
      },
      timeoutFor(),
    );
  });
}
