// msgpackCodec, the default: msgpackr records, so Date, bytes, Map, Set and bigint round-trip exactly.
import { Packr } from 'msgpackr';
import type { Codec } from '../codec.js';
import { checkMsgpackEntry } from './msgpack-check.js';
import { PlainRecordWriter } from './msgpack-plain.js';
import { checkedRecord, undecodable } from './record.js';

// Records (msgpackr's encoding of plain objects) keep objects and Maps apart, so both round-trip;
// definitions travel inside each message, so any process can decode what another wrote.
const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

const pair: [number, ReadonlyMap<string, unknown> | undefined] = [0, undefined];
const plain = new PlainRecordWriter();

/**
 * The default codec (msgpackr): Date, Uint8Array/Buffer, Map, Set, bigint, nested objects and
 * arrays round-trip exactly, with two exceptions: -0 comes back as 0, and an own `__proto__` key of
 * a nested object comes back as `__proto_` (msgpackr's guard against prototype pollution). One encoder is reused; the bytes it returns stay valid (msgpackr
 * never writes over a returned buffer). A session of plain values (the fast path) comes back as
 * bytes with a buffer of their own, which MemoryStore keeps without a copy; msgpackr's output is a
 * view into its shared buffer, which a store copies.
 */
export const msgpackCodec: Codec = {
  name: 'msgpack',
  encode(deadline, values) {
    const written = plain.write(deadline, values);
    if (written !== undefined) return written;
    // The fast path writes only values that round-trip exactly; the rest are checked before msgpackr sees them.
    values.forEach(checkMsgpackEntry);
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
    let record: unknown;
    try {
      record = packr.unpack(data);
    } catch (error) {
      // msgpackr's messages can quote the decoded data, so only their kind is kept.
      throw undecodable('msgpack', unpackFailure(error));
    }
    if (!Array.isArray(record) || record.length !== 2) throw undecodable('msgpack', 'not a [deadline, values] pair');
    const values: unknown = record[1];
    if (!(values instanceof Map)) throw undecodable('msgpack', 'values are not a map');
    return checkedRecord('msgpack', record[0], values);
  },
};

function unpackFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('Unexpected end')) return 'truncated';
  if (message.startsWith('Data read, but end of buffer not reached')) return 'bytes left over after the record';
  if (error instanceof RangeError) return 'nested too deeply or too large';
  return 'not valid MessagePack';
}
