// The check msgpackCodec runs on what its fast path leaves to msgpackr: every value must come back exactly as it went in.
import { types } from 'node:util';
import { SessionkitError } from '../errors.js';
import { className, type Problem, quoteKey, refusedValue } from './refusal.js';

/** Deepest nesting accepted; a cycle is found when it reaches this depth. */
export const MAX_MSGPACK_DEPTH = 1000;

/** Classes msgpackr brings back as themselves (with `moreTypes`), by exact prototype, with the check that an object really is one. */
const CARRIED = new Map<unknown, (value: object) => boolean>([
  [Date.prototype, types.isDate],
  [RegExp.prototype, types.isRegExp],
  [ArrayBuffer.prototype, types.isArrayBuffer],
  [DataView.prototype, types.isDataView],
  ...[
    Buffer,
    Uint8Array,
    Uint8ClampedArray,
    Int8Array,
    Uint16Array,
    Int16Array,
    Uint32Array,
    Int32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ].map((type) => [type.prototype, types.isTypedArray] as const),
]);

const BOXED = new Map<unknown, string>([
  [Number.prototype, 'Number'],
  [Boolean.prototype, 'Boolean'],
  [String.prototype, 'String'],
  [BigInt.prototype, 'BigInt'],
  [Symbol.prototype, 'Symbol'],
]);

/**
 * Throws a SessionkitError naming the session key (never the value) when `value` holds anything
 * msgpackr would store as something else: a string with a lone surrogate (UTF-8 has no place for
 * one), a boxed primitive, a function or symbol, a symbol-keyed property, an array hole, a class
 * instance msgpackr does not carry (an Error, a subclass of Map or of a typed array, ...), nesting
 * deeper than MAX_MSGPACK_DEPTH or a cycle. The key itself must be well-formed text too. Takes
 * its arguments in `Map.prototype.forEach` order.
 */
export function checkMsgpackEntry(value: unknown, key: string): void {
  if (typeof key !== 'string') throw new SessionkitError('msgpack codec', 'cannot store a session key that is not a string');
  if (!isWellFormed(key))
    throw new SessionkitError('msgpack codec', `cannot store the key ${quoteKey(key)}: it has a lone surrogate, which UTF-8 stores as U+FFFD`);
  const problem = problemIn(value, 0);
  if (problem !== undefined) throw refusedValue('msgpack', key, problem, 'store plain data, Date, Map, Set, bigint or bytes');
}

interface WellFormed {
  isWellFormed(): boolean;
}

/** `String.prototype.isWellFormed` (Node 20; not yet in the ES2022 typings). */
function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormed).isWellFormed();
}

function problemIn(value: unknown, depth: number): Problem | undefined {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? undefined : { what: 'a string with a lone surrogate, which UTF-8 stores as U+FFFD', depth };
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return undefined;
    case 'object':
      return value === null ? undefined : problemInObject(value, depth);
    case 'function':
      return { what: 'a function, which msgpack stores as undefined', depth };
    default:
      return { what: `a ${typeof value}, which msgpack cannot store`, depth };
  }
}

function problemInObject(value: object, depth: number): Problem | undefined {
  if (depth >= MAX_MSGPACK_DEPTH) return { what: `values nested more than ${MAX_MSGPACK_DEPTH} levels deep, or a cycle`, depth };
  const prototype = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  // The common kinds first, so that a session of plain objects and arrays pays for no lookup.
  if (prototype === Object.prototype) return ownConstructor(value, Object, true, depth) ?? problemInPlainObject(value as Record<string, unknown>, false, depth);
  if (prototype === Array.prototype) {
    return ownConstructor(value, Array, false, depth) ?? (Array.isArray(value) ? problemInArray(value as unknown[], depth) : impostor('an array', depth));
  }
  if (prototype === null) return ownConstructor(value, undefined, true, depth) ?? problemInPlainObject(value as Record<string, unknown>, true, depth);
  const boxed = BOXED.get(prototype);
  if (boxed !== undefined) return { what: `a boxed primitive (new ${boxed}), which msgpack stores as an object`, depth };
  const brand = CARRIED.get(prototype);
  if (brand === undefined && prototype !== Map.prototype && prototype !== Set.prototype) {
    if (Array.isArray(value)) return { what: `an array subclass (${className(prototype)}), which msgpack stores as a plain array`, depth };
    return { what: `an instance of ${className(prototype)}, which msgpack does not bring back as it is`, depth };
  }
  const problem = ownConstructor(value, prototype.constructor, false, depth);
  if (problem !== undefined) return problem;
  if (prototype === Map.prototype) return types.isMap(value) ? problemInMap(value as Map<unknown, unknown>, depth) : impostor('a Map', depth);
  if (prototype === Set.prototype) return types.isSet(value) ? problemInSet(value as Set<unknown>, depth) : impostor('a Set', depth);
  return brand!(value) ? undefined : impostor(`a ${className(prototype)}`, depth);
}

/**
 * msgpackr picks an object's encoding by its `constructor`, so an own one other than `expected`
 * can change what is written: any, for a Map, an array or a class msgpackr carries; a function,
 * for a plain object (a plain value there is written as an ordinary property).
 */
function ownConstructor(value: object, expected: unknown, plain: boolean, depth: number): Problem | undefined {
  const found = (value as { constructor?: unknown }).constructor;
  if (found === expected || (plain && typeof found !== 'function')) return undefined;
  return { what: 'an own "constructor" property, which msgpack takes for its type', depth };
}

function impostor(what: string, depth: number): Problem {
  return { what: `an object made from the prototype of ${what} without being one`, depth };
}

function problemInPlainObject(record: Record<string, unknown>, nullPrototype: boolean, depth: number): Problem | undefined {
  if (Object.getOwnPropertySymbols(record).length > 0) return { what: 'a symbol-keyed property, which msgpack drops', depth };
  // Without a prototype, msgpackr calls an own toJSON (even one that is not enumerable) and stores its result.
  if (nullPrototype && record.toJSON !== undefined) return { what: 'an own "toJSON" property, which msgpack would call', depth };
  for (const name of Object.keys(record)) {
    if (!isWellFormed(name)) return { what: 'a property name with a lone surrogate, which UTF-8 stores as U+FFFD', depth };
    const problem = problemIn(record[name], depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function problemInMap(map: Map<unknown, unknown>, depth: number): Problem | undefined {
  for (const [key, entry] of map) {
    const problem = problemIn(key, depth + 1) ?? problemIn(entry, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function problemInSet(set: Set<unknown>, depth: number): Problem | undefined {
  for (const entry of set) {
    const problem = problemIn(entry, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function problemInArray(array: unknown[], depth: number): Problem | undefined {
  for (let i = 0; i < array.length; i++) {
    if (!(i in array)) return { what: 'an array hole, which msgpack stores as undefined', depth };
    const problem = problemIn(array[i], depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
