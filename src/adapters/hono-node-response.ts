// Writes the session's headers into a @hono/node-server lightweight Response without turning its headers into a `Headers`.
import type { HeaderAccess, HeaderValue } from './header-values.js';

/**
 * @hono/node-server (on node, in place of the global Response) keeps a response built from a
 * string, bytes, a Blob, a stream or null as `[status, body, headers]` under a private symbol,
 * and writes it with one `writeHead`: `headers` is what the handler gave (undefined, a plain
 * record or a `Headers`). Reading `response.headers` builds a `Headers` from it, which costs more
 * than the session itself on a small response, and node-server then turns it back into a record.
 * For a response whose headers are undefined or a record of strings, the session's headers go
 * into a copy of that record instead: node-server writes it as it is, and `response.headers`
 * still shows them to any middleware that reads it later.
 */
type Parts = [status: number, body: unknown, headers: unknown];
type HeaderRecord = Record<string, string | string[]>;

/** node-server's Content-Type for a body without headers (`defaultContentType` in its response.ts). */
const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** The symbol node-server keeps a response's parts under, once seen (node-server names it `cache`). */
let partsKey: symbol | undefined;

/** The parts of `response` when it is a node-server lightweight response that still has them. */
function partsOf(response: Response): Parts | undefined {
  let key = partsKey;
  if (key === undefined) {
    key = Object.getOwnPropertySymbols(response).find((symbol) => symbol.description === 'cache');
    if (key === undefined) return undefined;
  }
  const parts = (response as unknown as Record<symbol, unknown>)[key];
  if (!Array.isArray(parts) || parts.length !== 3 || typeof parts[0] !== 'number') return undefined;
  partsKey = key;
  return parts as Parts;
}

/** The name of `record`'s header `name` (any case), or undefined. */
function keyOf(record: HeaderRecord, name: string): string | undefined {
  for (const key in record) {
    if (key === name || (key.length === name.length && key.toLowerCase() === name.toLowerCase())) return key;
  }
  return undefined;
}

/** A header record node-server writes as it is; a second line of a header makes it one `Headers` would misread. */
const recordHeaders: HeaderAccess<HeaderRecord> = {
  get: (record, name): HeaderValue => {
    const key = keyOf(record, name);
    return key === undefined ? undefined : record[key];
  },
  set: (record, name, value) => {
    record[keyOf(record, name) ?? name] = value;
  },
  append: (record, name, value) => {
    const key = keyOf(record, name);
    if (key === undefined) record[name] = value;
    else record[key] = [...record[key]!, value];
  },
};

/** A copy of `headers` when it is a record of strings, else undefined. */
function copyRecord(headers: unknown): HeaderRecord | undefined {
  if (headers === null || typeof headers !== 'object' || Object.getPrototypeOf(headers) !== Object.prototype) return undefined;
  const copy: HeaderRecord = {};
  for (const key in headers) {
    const value = (headers as Record<string, unknown>)[key];
    if (typeof value !== 'string') return undefined;
    copy[key] = value;
  }
  return copy;
}

/** What writes the headers: the save gate. @internal */
export interface HeaderWriter {
  writeHeaders<T>(target: T, access: HeaderAccess<T>): void;
}

/**
 * Writes `writer`'s headers into `response`'s header record when it is a node-server
 * lightweight response whose headers are still undefined or a record of strings; false when it
 * is not (or a header would need two lines), and `response` is left as it was.
 * @internal
 */
export function writeLightweightHeaders(response: Response, writer: HeaderWriter): boolean {
  const parts = partsOf(response);
  if (parts === undefined) return false;
  const headers = parts[2];
  let record: HeaderRecord | undefined;
  if (headers === undefined) record = parts[1] === null ? {} : { 'content-type': DEFAULT_CONTENT_TYPE };
  else record = copyRecord(headers);
  if (record === undefined) return false;
  writer.writeHeaders(record, recordHeaders);
  for (const key in record) {
    if (typeof record[key] !== 'string') return false;
  }
  parts[2] = record;
  return true;
}
