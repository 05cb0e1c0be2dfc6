// msgpackCodec never changes a value silently: what msgpack cannot carry exactly is refused with an error naming the key.
import { describe, expect, it } from 'vitest';
import { jsonCodec, msgpackCodec } from '../../src/codec.js';
import { MemoryStore, SessionManager, SessionkitError } from '../../src/index.js';

const deadline = Date.UTC(2030, 0, 1);

class Point {
  x = 1;
}
class MyMap extends Map {}
class MyBytes extends Uint8Array {}
class MyArray extends Array {}

const refusedValues: [string, () => unknown, RegExp][] = [
  ['a string with a lone surrogate', () => 'a\uD800b', /a string with a lone surrogate/],
  ['a lone low surrogate at the end of a string', () => `${'é'.repeat(3)}\uDC00`, /lone surrogate/],
  ['a boxed number', () => new Number(1), /a boxed primitive \(new Number\)/],
  ['a boxed boolean', () => new Boolean(false), /a boxed primitive \(new Boolean\)/],
  ['a boxed string', () => new String('s'), /a boxed primitive \(new String\)/],
  ['a boxed bigint', () => Object(1n), /a boxed primitive \(new BigInt\)/],
  ['a function', () => () => 1, /a function/],
  ['a symbol', () => Symbol('s'), /a symbol/],
  ['a class instance', () => new Point(), /an instance of Point/],
  ['an Error', () => new Error('boom'), /an instance of Error/],
  ['a Map subclass', () => new MyMap(), /an instance of MyMap/],
  ['a typed array subclass (msgpackr writes bytes it cannot read back)', () => new MyBytes(2), /an instance of MyBytes/],
  ['an array subclass', () => MyArray.from([1]), /an array subclass \(MyArray\)/],
  ['a symbol-keyed property', () => ({ [Symbol('s')]: 1 }), /symbol-keyed property/],
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point
  ['an array hole', () => [1, , 3], /an array hole/],
  ['an object whose own constructor is Date', () => ({ constructor: Date, at: 1 }), /own "constructor" property/],
  ['an object whose own constructor is Array', () => ({ constructor: Array, length: 2 }), /own "constructor" property/],
  ['an object made from the prototype of Date', () => Object.create(Date.prototype), /prototype of a Date without being one/],
  ['an object made from the prototype of Map', () => Object.create(Map.prototype), /prototype of a Map without being one/],
  ['an object made from the prototype of Array', () => Object.create(Array.prototype), /prototype of an array without being one/],
  ['a prototype-less object with a hidden toJSON', () => Object.defineProperty(Object.create(null), 'toJSON', { value: () => 'x' }), /own "toJSON"/],
  ['a property name with a lone surrogate', () => ({ 'k\uD83D': 1 }), /property name with a lone surrogate/],
  ['a Map key with a lone surrogate', () => new Map([['\uDE00', 1]]), /lone surrogate/],
];

function encodeWith(key: string, value: unknown): Uint8Array {
  return msgpackCodec.encode(
    deadline,
    new Map([
      ['fine', 1],
      [key, value],
    ]),
  );
}

describe('msgpackCodec refuses what msgpack would change', () => {
  for (const [name, make, reason] of refusedValues) {
    it(`refuses ${name} with a SessionkitError naming the key, at the top level and nested anywhere`, () => {
      const top = () => encodeWith('cart', make());
      expect(top).toThrow(SessionkitError);
      expect(top).toThrow(reason);
      expect(top).toThrow(/^sessionkit: msgpack codec: cannot store the value of key "cart": it holds[ ,]/);
      for (const nested of [{ items: [{ when: make() }] }, [[make()]], new Map([['k', make()]]), new Set([make()])]) {
        const deep = () => encodeWith('cart', nested);
        expect(deep).toThrow(SessionkitError);
        expect(deep).toThrow(reason);
        expect(deep).toThrow(/key "cart": it holds, \d levels? down,/);
      }
    });
  }

  it('refuses a session key with a lone surrogate', () => {
    expect(() => msgpackCodec.encode(deadline, new Map([['k\uD800', 1]]))).toThrow(
      /^sessionkit: msgpack codec: cannot store the key "k\\ud800": it has a lone surrogate/,
    );
  });

  it('never puts the refused value in the error', () => {
    const secret = 'hunter2-secret-value';
    for (const value of [new String(secret), `${secret}\uD800`, { [secret]: new Point() }, [secret, () => secret]]) {
      try {
        encodeWith('k', value);
        expect.unreachable('encode should have thrown');
      } catch (error) {
        expect((error as Error).message).not.toContain(secret);
        expect((error as Error).cause).toBeUndefined();
      }
    }
  });

  it('still carries exactly what msgpack can: well-formed text of every plane, RegExp, typed arrays, DataView, ArrayBuffer, undefined', () => {
    const values = new Map<string, unknown>([
      ['text', 'héllo ✓ 😀 \uD83D\uDE00 \u0000 \uFFFF'],
      ['clé 😀', 1],
      ['regexp', /a+b/gi],
      ['floats', Float64Array.of(1.5, -2)],
      ['bigints', BigInt64Array.of(-1n)],
      ['view', new DataView(Uint8Array.of(1, 2, 3).buffer)],
      ['buffer', Uint8Array.of(9, 8).buffer],
      ['missing', undefined],
      ['odd constructor', { constructor: 'not a class', n: [undefined, null] }],
      ['no prototype', Object.assign(Object.create(null), { a: 'é' })],
    ]);
    expect(msgpackCodec.decode(msgpackCodec.encode(deadline, values)).values).toEqual(values);
  });

  it('refuses values nested deep enough to exhaust the stack, and cycles, with a SessionkitError (both codecs, through the manager)', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const cyclic: Record<string, unknown> = { a: 'é' };
    cyclic.self = cyclic;
    for (const codec of [msgpackCodec, jsonCodec]) {
      const manager = new SessionManager({ store: new MemoryStore(), codec });
      for (const value of [deep, cyclic]) {
        const session = await manager.load();
        session.put('deep', value);
        const failure = await manager.commit(session).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(SessionkitError);
        expect((failure as Error).message).toMatch(/key "deep": it holds, 1000 levels down, values nested more than 1000 levels deep, or a cycle/);
      }
    }
    let limit: unknown = 'é';
    for (let i = 0; i < 999; i++) limit = { n: limit };
    expect(msgpackCodec.decode(encodeWith('d', limit)).values.get('d')).toEqual(limit);
  });

  it('makes the manager write nothing when a value is refused: the stored version stays', async () => {
    const manager = new SessionManager({ store: new MemoryStore() });
    const first = await manager.load();
    first.put('name', 'ann');
    const { token } = await manager.commit(first);
    const session = await manager.load(token);
    session.put('name', 'a\uD800');
    await expect(manager.commit(session)).rejects.toThrow(/msgpack codec: cannot store the value of key "name": it holds a string with a lone surrogate/);
    expect((await manager.load(token)).get('name')).toBe('ann');
  });
});
