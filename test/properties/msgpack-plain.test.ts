// The msgpack codec's fast path writes exactly msgpackr's bytes for plain sessions, refuses the rest, and never writes over a record it returned.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { msgpackCodec } from '../../src/codec.js';
import { PlainRecordWriter } from '../../src/codecs/msgpack-plain.js';
import { anyNumber, asciiOfLength, asciiText } from './support/codec-values.js';
import { runs, timeoutFor } from './support/runs.js';

// The default codec's own msgpackr settings.
const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

const date = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(2 ** 34 * 1000 - 1), noInvalidDate: true }),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((seconds) => new Date(seconds * 1000)),
);
const scalar = fc.oneof(asciiText(300), anyNumber, fc.boolean(), fc.constant(null), date);
const plainValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 20 }), fc.array(fc.array(scalar, { maxLength: 3 }), { maxLength: 3 }));
const plainMap = fc
  .oneof(
    fc.array(fc.tuple(asciiText(40), plainValue), { maxLength: 20 }),
    // Sessions of long strings, about one in five over the 4 KiB the fast path writes.
    fc.array(fc.tuple(asciiText(40), fc.nat(300).chain(asciiOfLength)), { minLength: 8, maxLength: 40, size: 'max' }),
  )
  .map((entries) => new Map<string, unknown>(entries));
const deadline = fc.oneof(fc.integer({ min: 0, max: 2 ** 48 }), anyNumber);
/** The fast path's largest record (MAX_RECORD): bigger ones go to msgpackr. */
const MAX_RECORD = 4096;

/** [1, <hole>, 3] */
function sparseArray(): unknown[] {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
}

describe('msgpack codec fast path', () => {
  it(
    'writes the same bytes as msgpackr for every plain session of up to 4 KiB',
    () => {
      const writer = new PlainRecordWriter();
      fc.assert(
        fc.property(deadline, plainMap, (at, values) => {
          const fast = writer.write(at, values);
          const expected = packr.pack([at, values]);
          // Each number is only written with 9 bytes of room left, so the last few bytes before the limit may go to msgpackr.
          if (fast === undefined) expect(expected.length).toBeGreaterThan(MAX_RECORD - 9);
          else expect(Buffer.from(fast)).toEqual(expected);
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it('leaves to msgpackr what it cannot write as msgpackr would, and the codec still encodes it', () => {
    const writer = new PlainRecordWriter();
    const refused: unknown[] = ['é', '\u{1F600}', undefined, {}, ['a', {}], new Date(-1), new Date(Number.NaN), new Uint8Array(1), 1n, new Map(), new Set()];
    // Values msgpack cannot carry exactly: the codec refuses them with an error naming the key (and the fast path never throws).
    const codecRefuses = [sparseArray(), () => {}, { constructor: Date, at: 1 }, Object.create(Date.prototype), { constructor: Array, length: 1 }];
    for (const value of [...refused, ...codecRefuses]) {
      const values = new Map<string, unknown>([
        ['userId', 7],
        ['value', value],
      ]);
      expect(writer.write(1, values)).toBeUndefined();
      if (codecRefuses.includes(value)) expect(() => msgpackCodec.encode(1, values)).toThrow(/msgpack codec: cannot store the value of key "value"/);
      else expect(msgpackCodec.decode(msgpackCodec.encode(1, values)).values.get('value')).toEqual(value);
    }
    expect(writer.write(1, new Map([['clé', 1]]))).toBeUndefined();
    // A map of more entries than 4 KiB can hold is refused without writing, and msgpackr encodes it.
    const many = new Map(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i] as const));
    expect(writer.write(1, many)).toBeUndefined();
    expect(msgpackCodec.decode(msgpackCodec.encode(1, many)).values.size).toBe(3000);
    // A record over the fast path's 4 KiB goes to msgpackr too.
    const big = new Map([['text', 'x'.repeat(5000)]]);
    expect(writer.write(1, big)).toBeUndefined();
    expect(msgpackCodec.decode(msgpackCodec.encode(1, big)).values.get('text')).toHaveLength(5000);
    // And a refused record leaves nothing behind: the next record is written whole.
    const next = writer.write(2, new Map([['a', 'b']]));
    expect(Buffer.from(next!)).toEqual(packr.pack([2, new Map([['a', 'b']])]));
  });

  it('never writes over a record it returned, across many slabs', () => {
    const writer = new PlainRecordWriter();
    const kept: [Uint8Array, Map<string, unknown>][] = [];
    for (let i = 0; i < 2000; i++) {
      const values = new Map<string, unknown>([
        ['counter', i],
        ['message', `message number ${i} `.repeat(1 + (i % 7))],
      ]);
      kept.push([writer.write(i, values)!, values]);
    }
    for (const [bytes, values] of kept) expect(msgpackCodec.decode(bytes).values).toEqual(values);
  });
});
