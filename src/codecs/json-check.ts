// The check jsonCodec runs before it encodes: every value must come back from JSON exactly as it went in.
import { className, type Problem, refusedValue } from './refusal.js';

/** Deepest nesting accepted; a cycle is found when it reaches this depth. */
export const MAX_JSON_DEPTH = 1000;

/**
 * Throws a SessionkitError naming `key` (never the value) when `value` holds anything JSON would
 * store as something else: Map, Set, Date, bigint, bytes, undefined, non-finite numbers,
 * functions, symbols, symbol-keyed properties, class instances, cycles. One walk, no allocation
 * for strings, numbers and arrays.
 */
export function checkJsonValue(key: string, value: unknown): void {
  const problem = problemIn(value, 0);
  if (problem !== undefined) throw refused(key, problem);
}

function problemIn(value: unknown, depth: number): Problem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { what: 'a non-finite number (NaN or Infinity), which JSON stores as null', depth };
    case 'object':
      return value === null ? undefined : problemInObject(value, depth);
    case 'undefined':
      return { what: 'undefined, which JSON drops (or stores as null in an array)', depth };
    case 'bigint':
      return { what: 'a bigint, which JSON cannot store', depth };
    case 'function':
      return { what: 'a function, which JSON drops', depth };
    default:
      return { what: `a ${typeof value}, which JSON drops`, depth };
  }
}

function problemInObject(value: object, depth: number): Problem | undefined {
  if (depth >= MAX_JSON_DEPTH) return { what: `values nested more than ${MAX_JSON_DEPTH} levels deep, or a cycle`, depth };
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Array.prototype) {
    const array = value as unknown[];
    // Holes read as undefined, so they are refused with it.
    for (let i = 0; i < array.length; i++) {
      const problem = problemIn(array[i], depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (prototype === Object.prototype || prototype === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) return { what: 'a symbol-keyed property, which JSON drops', depth };
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      const problem = problemIn(record[name], depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return { what: describeInstance(value, prototype), depth };
}

function describeInstance(value: object, prototype: unknown): string {
  if (value instanceof Map) return 'a Map, which JSON stores as {}';
  if (value instanceof Set) return 'a Set, which JSON stores as {}';
  if (value instanceof Date) return 'a Date, which JSON stores as a string';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return `bytes (${className(prototype)}), which JSON cannot store as bytes`;
  }
  if (Array.isArray(value)) return `an array subclass (${className(prototype)}), which JSON stores as a plain array`;
  return `an instance of ${className(prototype)}, which JSON stores as a plain object`;
}

function refused(key: string, problem: Problem) {
  return refusedValue('json', key, problem, 'store plain data (or use msgpackCodec, which keeps Map, Set, Date, bigint and bytes)');
}
