import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { jsonCodec, msgpackCodec } from '../../src/codec.js';

const deadline = Date.UTC(2030, 0, 1);

describe('msgpackCodec', () => {
  it('round-trips Date, Uint8Array, Buffer, Map, Set, bigint and nested objects exactly', () => {
    const values = new Map<string, unknown>([
      ['date', new Date(1700000000123)],
      ['bytes', Uint8Array.of(0, 1, 255)],
      ['buffer', Buffer.from('hi')],
      ['map', new Map<unknown, unknown>([[1, 'one'], ['k', { a: 1 }]])],
      ['set', new Set([1, 'a'])],
      ['big', 12345678901234567890n],
      ['small', 7n],
      ['nested', { roles: ['admin', 'user'], deep: { n: null, f: 1.5, t: true } }],
      ['large', 2 ** 40],
      ['unicode', 'héllo ✓ 😀'],
    ]);
    const record = msgpackCodec.decode(msgpackCodec.encode(deadline, values));
    expect(record.deadline).toBe(deadline);
    expect(record.values).toEqual(values);
    expect(record.values.get('map')).toBeInstanceOf(Map);
    expect(record.values.get('set')).toBeInstanceOf(Set);
    expect(record.values.get('nested')).not.toBeInstanceOf(Map);
    expect(typeof record.values.get('small')).toBe('bigint');
    expect(typeof record.values.get('large')).toBe('number');
  });

  it('returns bytes that a later encode does not overwrite', () => {
    const first = msgpackCodec.encode(deadline, new Map([['a', 'first']]));
    const copy = Uint8Array.from(first);
    msgpackCodec.encode(deadline, new Map([['a', 'second, and longer']]));
    expect(Buffer.compare(first, copy)).toBe(0);
  });

  it('decodes what another encoder instance wrote (no shared state between processes)', async () => {
    const { Packr } = await import('msgpackr');
    const other = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
    const bytes = other.pack([deadline, new Map([['user', { id: 1, name: 'a' }]])]);
    expect(msgpackCodec.decode(bytes).values.get('user')).toEqual({ id: 1, name: 'a' });
  });

  it('throws on bytes that are not a session record', () => {
    expect(() => msgpackCodec.decode(Uint8Array.of(0xc1))).toThrow();
    expect(() => msgpackCodec.decode(Buffer.from('garbage bytes'))).toThrow();
    expect(() => msgpackCodec.decode(msgpackCodec.encode(deadline, new Map()).subarray(0, 3))).toThrow();
    const { pack } = rawPacker();
    expect(() => msgpackCodec.decode(pack({ a: 1 }))).toThrow(/not a \[deadline, values\] pair/);
    expect(() => msgpackCodec.decode(pack(['x', new Map()]))).toThrow(/bad deadline/);
    expect(() => msgpackCodec.decode(pack([1, [1, 2]]))).toThrow(/values are not a map/);
  });
});

describe('jsonCodec', () => {
  it('round-trips JSON values', () => {
    const values = new Map<string, unknown>([['n', 1], ['s', 'x'], ['o', { a: [1, 2] }], ['__proto__', { polluted: true }]]);
    const record = jsonCodec.decode(jsonCodec.encode(deadline, values));
    expect(record.deadline).toBe(deadline);
    expect(record.values.get('o')).toEqual({ a: [1, 2] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws on bytes that are not a session record', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => jsonCodec.decode(enc('{'))).toThrow();
    expect(() => jsonCodec.decode(Uint8Array.of(0xff, 0xfe))).toThrow();
    expect(() => jsonCodec.decode(enc('null'))).toThrow();
    expect(() => jsonCodec.decode(enc('{"deadline":"x","values":{}}'))).toThrow(/bad deadline/);
    expect(() => jsonCodec.decode(enc('{"deadline":1,"values":[]}'))).toThrow(/values/);
  });
});

function rawPacker() {
  const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true });
  return { pack: (value: unknown) => packr.pack(value) };
}
