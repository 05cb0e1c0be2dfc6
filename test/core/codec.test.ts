import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { jsonCodec, msgpackCodec } from '../../src/codec.js';
import { MemoryStore, SessionManager, SessionkitError } from '../../src/index.js';

const deadline = Date.UTC(2030, 0, 1);

describe('msgpackCodec', () => {
  it('round-trips Date, Uint8Array, Buffer, Map, Set, bigint and nested objects exactly', () => {
    const values = new Map<string, unknown>([
      ['date', new Date(1700000000123)],
      ['bytes', Uint8Array.of(0, 1, 255)],
      ['buffer', Buffer.from('hi')],
      [
        'map',
        new Map<unknown, unknown>([
          [1, 'one'],
          ['k', { a: 1 }],
        ]),
      ],
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

  it('brings an own "__proto__" key of a nested object back as "__proto_" (msgpackr\'s guard against prototype pollution)', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"admin":true},"a":1}');
    const record = msgpackCodec.decode(
      msgpackCodec.encode(
        deadline,
        new Map([
          ['body', parsed],
          ['__proto__', 2],
        ]),
      ),
    );
    expect(record.values.get('body')).toEqual({ __proto_: { admin: true }, a: 1 });
    expect(Object.getPrototypeOf(record.values.get('body'))).toBe(Object.prototype);
    expect(record.values.get('__proto__')).toBe(2);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('returns bytes that a later encode does not overwrite', () => {
    const first = msgpackCodec.encode(deadline, new Map([['a', 'first']]));
    const copy = Uint8Array.from(first);
    msgpackCodec.encode(deadline, new Map([['a', 'second, and longer']]));
    expect(Buffer.compare(first, copy)).toBe(0);
  });

  it('gives a session of plain values bytes that no later encode writes over', () => {
    const values = (i: number) =>
      new Map<string, unknown>([
        ['message', `Hello ${i}`],
        ['count', i],
        ['at', new Date(0)],
        ['list', [1, 'two', null]],
      ]);
    const first = msgpackCodec.encode(deadline, values(0));
    const copy = Uint8Array.from(first);
    // Enough encodes to fill the codec's output slab several times over.
    for (let i = 1; i < 2000; i++) msgpackCodec.encode(deadline, values(i));
    expect(first.constructor).toBe(Uint8Array);
    expect(Uint8Array.from(first)).toEqual(copy);
    expect(msgpackCodec.decode(first)).toEqual({ deadline, values: values(0) });
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
    expect(() => msgpackCodec.decode(pack([1, new Map([[1, 'x']])]))).toThrow(/a key is not a string/);
  });

  it('never quotes the stored bytes in a decode error (msgpackr quotes up to 100 characters of them)', () => {
    const secret = 'hunter2-secret-value';
    const valid = msgpackCodec.encode(deadline, new Map([['pw', secret]]));
    for (const bytes of [Buffer.concat([valid, Uint8Array.of(0x01)]), valid.subarray(0, valid.length - 3), Buffer.concat([Uint8Array.of(0xc1), valid])]) {
      try {
        msgpackCodec.decode(bytes);
        expect.unreachable('decode should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(SessionkitError);
        expect((error as Error).message).toMatch(
          /^sessionkit: msgpack codec: stored bytes are not a session record \((truncated|bytes left over after the record|not valid MessagePack)\)$/,
        );
        expect((error as Error).message).not.toContain(secret);
        expect((error as Error).cause).toBeUndefined();
      }
    }
    expect(() => msgpackCodec.decode(Buffer.concat([valid, Uint8Array.of(0x01)]))).toThrow(/bytes left over/);
    expect(() => msgpackCodec.decode(valid.subarray(0, valid.length - 3))).toThrow(/truncated/);
  });
});

describe('jsonCodec', () => {
  it('round-trips JSON values', () => {
    const values = new Map<string, unknown>([
      ['n', 1],
      ['s', 'x'],
      ['o', { a: [1, 2] }],
      ['__proto__', { polluted: true }],
    ]);
    const record = jsonCodec.decode(jsonCodec.encode(deadline, values));
    expect(record.deadline).toBe(deadline);
    expect(record.values).toEqual(values);
    expect(record.values.get('o')).toEqual({ a: [1, 2] });
    expect(record.values.get('__proto__')).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips plain data of every JSON kind, null-prototype objects and lone surrogates included', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const values = new Map<string, unknown>([
      ['null', null],
      ['bools', [true, false]],
      ['numbers', [0, -1.5, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE]],
      ['text', 'héllo ✓ 😀 \ud800 "quoted"\n'],
      ['deep', { a: { b: { c: [[[{ d: 'e' }]]] } } }],
      ['bare', bare],
      ['empty', {}],
    ]);
    const record = jsonCodec.decode(jsonCodec.encode(deadline, values));
    expect(record.values).toEqual(values);
    expect(record.values.get('text')).toBe(values.get('text'));
  });

  class Cart {
    items = [1];
  }
  class MyArray extends Array<number> {}
  const refusedValues: [string, unknown, RegExp][] = [
    ['a Map', new Map([['k', 'v']]), /a Map, which JSON stores as \{\}/],
    ['a Set', new Set([1]), /a Set/],
    ['a Date', new Date(5), /a Date, which JSON stores as a string/],
    ['a bigint', 5n, /a bigint/],
    ['a Uint8Array', Uint8Array.of(1, 2), /bytes \(Uint8Array\)/],
    ['a Buffer', Buffer.from('hi'), /bytes \(Buffer\)/],
    ['a Float64Array', new Float64Array(2), /bytes \(Float64Array\)/],
    ['an ArrayBuffer', new ArrayBuffer(4), /bytes \(ArrayBuffer\)/],
    ['a DataView', new DataView(new ArrayBuffer(4)), /bytes \(DataView\)/],
    ['undefined', undefined, /undefined/],
    ['NaN', Number.NaN, /non-finite number/],
    ['Infinity', Number.POSITIVE_INFINITY, /non-finite number/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /non-finite number/],
    ['a function', () => 1, /a function/],
    ['a symbol', Symbol('s'), /a symbol/],
    ['a class instance', new Cart(), /an instance of Cart/],
    ['a RegExp', /x/, /an instance of RegExp/],
    ['an Error', new Error('boom'), /an instance of Error/],
    ['a boxed string', new String('s'), /an instance of String/],
    ['an array subclass', MyArray.from([1]), /an array subclass \(MyArray\)/],
    ['a symbol-keyed property', { [Symbol('s')]: 1 }, /symbol-keyed property/],
  ];

  for (const [name, value, reason] of refusedValues) {
    it(`refuses ${name} with a SessionkitError naming the key, at the top level and nested anywhere`, () => {
      const top = () =>
        jsonCodec.encode(
          deadline,
          new Map([
            ['fine', 1],
            ['cart', value],
          ]),
        );
      expect(top).toThrow(SessionkitError);
      expect(top).toThrow(reason);
      expect(top).toThrow(/^sessionkit: json codec: cannot store the value of key "cart": it holds /);
      for (const nested of [{ items: [{ when: value }] }, [[value]], [1, value]]) {
        const deep = () => jsonCodec.encode(deadline, new Map([['cart', nested]]));
        expect(deep).toThrow(SessionkitError);
        expect(deep).toThrow(reason);
        expect(deep).toThrow(/key "cart": it holds, \d levels? down,/);
      }
    });
  }

  it('never puts the refused value in the error', () => {
    const secret = 'hunter2-secret-value';
    for (const value of [
      new Map([[secret, secret]]),
      new Set([secret]),
      BigInt(123456789),
      Buffer.from(secret),
      { [secret]: new Date(0) },
      [secret, undefined],
    ]) {
      try {
        jsonCodec.encode(deadline, new Map([['k', value]]));
        expect.unreachable('encode should have thrown');
      } catch (error) {
        expect((error as Error).message).not.toContain(secret);
        expect((error as Error).message).not.toContain('123456789');
        expect((error as Error).cause).toBeUndefined();
      }
    }
  });

  it('refuses holes in arrays (they come back as null), cycles, and non-string keys', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => jsonCodec.encode(deadline, new Map([['a', [1, , 3]]]))).toThrow(/key "a".*undefined/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => jsonCodec.encode(deadline, new Map([['c', cyclic]]))).toThrow(/key "c".*or a cycle/);
    const cyclicArray: unknown[] = [];
    cyclicArray.push(cyclicArray);
    expect(() => jsonCodec.encode(deadline, new Map([['c', cyclicArray]]))).toThrow(SessionkitError);
    expect(() => jsonCodec.encode(deadline, new Map([[1 as unknown as string, 'x']]))).toThrow(/session key that is not a string/);
    expect(() => jsonCodec.encode(Number.NaN, new Map())).toThrow(/deadline/);
  });

  it('accepts nesting up to its depth limit and cuts a long key short in the error', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 999; i++) deep = [deep];
    expect(jsonCodec.decode(jsonCodec.encode(deadline, new Map([['d', deep]]))).values.get('d')).toEqual(deep);
    const key = 'k'.repeat(500);
    expect(() => jsonCodec.encode(deadline, new Map([[key, 1n]]))).toThrow(new RegExp(`key "${'k'.repeat(64)}…"`));
  });

  it('makes the manager write nothing when a value is refused: the stored version stays', async () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const manager = new SessionManager({ store, codec: jsonCodec });
    const first = await manager.load();
    first.put('user', 1);
    const { token } = await manager.commit(first);
    const before = Uint8Array.from(store.find(token)!);

    const session = await manager.load(token);
    session.put('user', 2);
    session.put('cart', new Map([['apple', 1]]));
    await expect(manager.commit(session)).rejects.toThrow(/json codec: cannot store the value of key "cart": it holds a Map/);
    expect(store.find(token)).toEqual(before);
    expect((await manager.load(token)).get('user')).toBe(1);

    const fresh = await manager.load();
    fresh.put('when', new Date());
    await expect(manager.commit(fresh)).rejects.toThrow(SessionkitError);
    expect(fresh.token).toBe(''); // refused before a token was given
    expect(store.size).toBe(1);
  });

  it('throws on bytes that are not a session record', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => jsonCodec.decode(enc('{'))).toThrow();
    expect(() => jsonCodec.decode(Uint8Array.of(0xff, 0xfe))).toThrow();
    expect(() => jsonCodec.decode(enc('null'))).toThrow();
    expect(() => jsonCodec.decode(enc('{"deadline":"x","values":{}}'))).toThrow(/bad deadline/);
    expect(() => jsonCodec.decode(enc('{"deadline":1,"values":[]}'))).toThrow(/values/);
  });

  it('never quotes the stored bytes in a decode error', () => {
    const secret = 'hunter2-secret-value';
    for (const text of [`{"deadline":1,"values":{"pw":"${secret}"}} trailing`, `${secret}`, `{"${secret}`]) {
      try {
        jsonCodec.decode(new TextEncoder().encode(text));
        expect.unreachable('decode should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(SessionkitError);
        expect((error as Error).message).toMatch(/^sessionkit: json codec: stored bytes are not a session record/);
        expect((error as Error).message).not.toContain(secret);
        expect((error as Error).cause).toBeUndefined();
      }
    }
  });
});

function rawPacker() {
  const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true });
  return { pack: (value: unknown) => packr.pack(value) };
}
