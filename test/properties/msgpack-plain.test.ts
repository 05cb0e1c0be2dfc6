// The msgpack codec's fast path writes exactly msgpackr's bytes for plain sessions, refuses the rest, and never writes over a record it returned.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { msgpackCodec } from '../../src/codec.js';
import { PlainRecordWriter } from '../../src/codecs/msgpack-plain.js';
import { runs, timeoutFor } from './support/runs.js';

// The default codec's own msgpackr settings.
const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

const ascii = (maxLength: number) => fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength });
// Integers around every boundary of msgpack's integer forms, and the doubles msgpackr writes as float64.
const boundaries = [0, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff, 0x100000000, 2 ** 53];
const number = fc.oneof(
  fc.constantFrom(...boundaries.flatMap((n) => [n, -n, n - 1, -n - 1, n + 1])),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const date = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(2 ** 34 * 1000 - 1), noInvalidDate: true }),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((seconds) => new Date(seconds * 1000)),
);
const scalar = fc.oneof(ascii(300), number, fc.boolean(), fc.constant(null), date);
const plainValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 20 }), fc.array(fc.array(scalar, { maxLength: 3 }), { maxLength: 3 }));
const plainMap = fc.array(fc.tuple(ascii(40), plainValue), { maxLength: 20 }).map((entries) => new Map<string, unknown>(entries));
const deadline = fc.oneof(fc.integer({ min: 0, max: 2 ** 48 }), number);

/** [1, <hole>, 3] */
function sparseArray(): unknown[] {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
}

describe('msgpack codec fast path', () => {
  it(
    'writes the same bytes as msgpackr for every plain session',
    () => {
      const writer = new PlainRecordWriter();
      fc.assert(
        fc.property(deadline, plainMap, (at, values) => {
          const fast = writer.write(at, values);
          expect(fast).toBeDefined();
          expect(Buffer.from(fast!)).toEqual(packr.pack([at, values]));
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it('leaves to msgpackr what it cannot write as msgpackr would, and the codec still encodes it', () => {
    const writer = new PlainRecordWriter();
    const refused: unknown[] = [
      'é',
      '\u{1F600}',
      undefined,
      {},
      ['a', {}],
      sparseArray(),
      new Date(-1),
      new Date(Number.NaN),
      new Uint8Array(1),
      1n,
      new Map(),
      new Set(),
      () => {},
    ];
    for (const value of refused) {
      const values = new Map<string, unknown>([
        ['userId', 7],
        ['value', value],
      ]);
      expect(writer.write(1, values), String(value)).toBeUndefined();
      if (typeof value !== 'function') expect(msgpackCodec.decode(msgpackCodec.encode(1, values)).values.get('value')).toEqual(value);
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
