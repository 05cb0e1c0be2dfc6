// The LMDB record format: a 24-byte header (magic, flags, data length, expiry, write stamp), the session bytes, then the owner if any.
import { randomInt } from 'node:crypto';

/**
 * Layout, little-endian:
 * - 0..3   magic `73 6b 01` ("sk", format 1), then flags: 0, or 1 when the record has an owner
 * - 4..7   data length (uint32): with flags 0 it equals the record length minus the header
 * - 8..15  expiry, whole ms since epoch (uint64, always a safe integer)
 * - 16..23 write stamp: 4 random bytes chosen per store instance + a 32-bit counter. It changes on
 *          every commit (not on touch), so a cached copy can be validated by comparing 8 bytes.
 * - 24..   the session bytes
 * - then, with flags 1 only: the owner (the user id the commit carried), UTF-8, 1 to 765 bytes,
 *          up to the end of the record. Its length is the record length minus header and data.
 * A record that does not match this layout was not written by sessionkit: it reads as "not found".
 * Records without an owner are written exactly as before owners existed.
 */
export const HEADER_SIZE = 24;
const MAGIC0 = 0x73;
const MAGIC1 = 0x6b;
const FORMAT = 0x01;
const HAS_OWNER = 0x01;
/** 255 UTF-16 code units take at most 765 UTF-8 bytes. */
const MAX_OWNER_BYTES = 765;
const TWO_32 = 0x1_0000_0000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Largest expiry stored: far enough in the future to mean "never". */
export const MAX_EXPIRY = Number.MAX_SAFE_INTEGER;

/** Builds a record holding a copy of `data` (and `owner`, a well-formed string of at most 255 code units). `expiresAt` must be a whole number of ms. */
export function encodeRecord(data: Uint8Array, expiresAt: number, stampSalt: number, stampCount: number, owner?: string): Uint8Array {
  const ownerBytes = owner === undefined ? undefined : encoder.encode(owner);
  const record = new Uint8Array(HEADER_SIZE + data.length + (ownerBytes?.length ?? 0));
  record[0] = MAGIC0;
  record[1] = MAGIC1;
  record[2] = FORMAT;
  if (ownerBytes !== undefined) {
    record[3] = HAS_OWNER;
    record.set(ownerBytes, HEADER_SIZE + data.length);
  }
  writeU32(record, 4, data.length);
  writeU32(record, 8, expiresAt % TWO_32);
  writeU32(record, 12, Math.floor(expiresAt / TWO_32));
  writeU32(record, 16, stampSalt);
  writeU32(record, 20, stampCount);
  record.set(data, HEADER_SIZE);
  return record;
}

/** Builds records with a fresh write stamp each: a random salt per encoder and a counter; a new salt when the counter wraps. */
export class RecordEncoder {
  #salt = randomInt(TWO_32);
  #count = 0;

  encode(data: Uint8Array, expiresAt: number, owner?: string): Uint8Array {
    const record = encodeRecord(data, expiresAt, this.#salt, this.#count, owner);
    if (++this.#count === TWO_32) {
      this.#count = 0;
      this.#salt = randomInt(TWO_32);
    }
    return record;
  }
}

/** True when `record` has a sessionkit header that matches its length. */
export function isRecord(record: Uint8Array): boolean {
  if (record.length < HEADER_SIZE || record[0] !== MAGIC0 || record[1] !== MAGIC1 || record[2] !== FORMAT) return false;
  if (readU32(record, 12) >= 0x20_0000) return false; // expiry stays a safe integer
  const ownerLength = record.length - HEADER_SIZE - readU32(record, 4);
  return record[3] === 0 ? ownerLength === 0 : record[3] === HAS_OWNER && ownerLength > 0 && ownerLength <= MAX_OWNER_BYTES;
}

/** The owner of a record that passed `isRecord`, or undefined when it has none. */
export function recordOwner(record: Uint8Array): string | undefined {
  if (record[3] !== HAS_OWNER) return undefined;
  return decoder.decode(record.subarray(HEADER_SIZE + readU32(record, 4), record.length));
}

/** True when the session bytes of a record that passed `isRecord` equal `data`. */
export function hasData(record: Uint8Array, data: Uint8Array): boolean {
  const length = readU32(record, 4);
  return length === data.length && Buffer.compare(record.subarray(HEADER_SIZE, HEADER_SIZE + length), data) === 0;
}

/** The expiry of a record that passed `isRecord`. */
export function recordExpiry(record: Uint8Array): number {
  return readU32(record, 12) * TWO_32 + readU32(record, 8);
}

/** The stamp's salt half, of a record that passed `isRecord`. */
export function stampSalt(record: Uint8Array): number {
  return readU32(record, 16);
}

/** The stamp's counter half, of a record that passed `isRecord`. */
export function stampCount(record: Uint8Array): number {
  return readU32(record, 20);
}

/**
 * A fresh copy of the session bytes of a record that passed `isRecord`. The source may be lmdb-js's
 * reused buffer, whose `length` is an own property shorter than the buffer: always pass explicit bounds.
 */
export function copyData(record: Uint8Array): Uint8Array {
  const length = readU32(record, 4);
  const data = new Uint8Array(length);
  data.set(record.subarray(HEADER_SIZE, HEADER_SIZE + length));
  return data;
}

/** A copy of `record` with its expiry replaced and its stamp kept (touch). */
export function withExpiry(record: Uint8Array, expiresAt: number): Uint8Array {
  const copy = new Uint8Array(record.length);
  copy.set(record.subarray(0, record.length));
  writeU32(copy, 8, expiresAt % TWO_32);
  writeU32(copy, 12, Math.floor(expiresAt / TWO_32));
  return copy;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}
