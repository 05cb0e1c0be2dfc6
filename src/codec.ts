// Codecs turn a session (deadline + values) into bytes for a store and back: msgpackCodec (default) and jsonCodec.
import { Packr } from 'msgpackr';

/** A decoded session record: the absolute deadline (ms since epoch) and the values. */
export interface SessionRecord {
  deadline: number;
  values: Map<string, unknown>;
}

/**
 * Encodes and decodes session records. `decode` throws on bytes it cannot read;
 * the manager then starts a fresh session and reports the error through `onError`.
 */
export interface Codec {
  readonly name: string;
  encode(deadline: number, values: ReadonlyMap<string, unknown>): Uint8Array;
  decode(data: Uint8Array): SessionRecord;
}

function invalid(codec: string, what: string): Error {
  return new Error(`${codec} codec: stored bytes are not a session record (${what})`);
}

function checkDeadline(codec: string, deadline: unknown): number {
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) throw invalid(codec, 'bad deadline');
  return deadline;
}

// Records (msgpackr's encoding of plain objects) keep objects and Maps apart, so both round-trip;
// definitions travel inside each message, so any process can decode what another wrote.
const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

const pair: [number, ReadonlyMap<string, unknown> | undefined] = [0, undefined];

/**
 * The default codec (msgpackr): Date, Uint8Array/Buffer, Map, Set, bigint, nested objects and
 * arrays round-trip exactly. One encoder is reused; the bytes it returns stay valid (msgpackr
 * never writes over a returned buffer).
 */
export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode(deadline, values) {
    // One reused [deadline, values] pair: pack is synchronous and keeps no reference to it.
    pair[0] = deadline;
    pair[1] = values;
    try {
      return packr.pack(pair);
    } finally {
      pair[1] = undefined;
    }
  },
  decode(data) {
    const record: unknown = packr.unpack(data);
    if (!Array.isArray(record) || record.length !== 2) throw invalid('msgpack', 'not a [deadline, values] pair');
    const values: unknown = record[1];
    if (!(values instanceof Map)) throw invalid('msgpack', 'values are not a map');
    return { deadline: checkDeadline('msgpack', record[0]), values: values as Map<string, unknown> };
  },
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON codec for stores shared with tools that read JSON. Values must be JSON-safe: a Date
 * comes back as its ISO string, and Map, Set, bigint and Uint8Array are not supported.
 */
export const jsonCodec: Codec = {
  name: 'json',
  encode(deadline, values) {
    return encoder.encode(JSON.stringify({ deadline, values: Object.fromEntries(values) }));
  },
  decode(data) {
    const record: unknown = JSON.parse(decoder.decode(data));
    if (record === null || typeof record !== 'object') throw invalid('json', 'not an object');
    const { deadline, values } = record as { deadline?: unknown; values?: unknown };
    if (values === null || typeof values !== 'object' || Array.isArray(values)) throw invalid('json', 'values are not an object');
    return { deadline: checkDeadline('json', deadline), values: new Map(Object.entries(values)) };
  },
};
