// The LMDB record format: a 24-byte header (magic, data length, expiry, write stamp) followed by the session bytes.

/**
 * Layout, little-endian:
 * - 0..3   magic `73 6b 01 00` ("sk", format 1, flags 0)
 * - 4..7   data length (uint32), must equal the record length minus the header
 * - 8..15  expiry, whole ms since epoch (uint64, always a safe integer)
 * - 16..23 write stamp: 4 random bytes chosen per store instance + a 32-bit counter. It changes on
 *          every commit (not on touch), so a cached copy can be validated by comparing 8 bytes.
 * - 24..   the session bytes
 * A record that does not match this layout was not written by sessionkit: it reads as "not found".
 */
export const HEADER_SIZE = 24;
const MAGIC0 = 0x73;
const MAGIC1 = 0x6b;
const FORMAT = 0x01;
const TWO_32 = 0x1_0000_0000;

/** Largest expiry stored: far enough in the future to mean "never". */
export const MAX_EXPIRY = Number.MAX_SAFE_INTEGER;

/** Builds a record holding a copy of `data`. `expiresAt` must be a whole number of ms. */
export function encodeRecord(data: Uint8Array, expiresAt: number, stampSalt: number, stampCount: number): Uint8Array {
  const record = new Uint8Array(HEADER_SIZE + data.length);
  record[0] = MAGIC0;
  record[1] = MAGIC1;
  record[2] = FORMAT;
  writeU32(record, 4, data.length);
  writeU32(record, 8, expiresAt % TWO_32);
  writeU32(record, 12, Math.floor(expiresAt / TWO_32));
  writeU32(record, 16, stampSalt);
  writeU32(record, 20, stampCount);
  record.set(data, HEADER_SIZE);
  return record;
}

/** True when `record` has a sessionkit header that matches its length. */
export function isRecord(record: Uint8Array): boolean {
  return (
    record.length >= HEADER_SIZE &&
    record[0] === MAGIC0 &&
    record[1] === MAGIC1 &&
    record[2] === FORMAT &&
    record[3] === 0 &&
    readU32(record, 4) === record.length - HEADER_SIZE &&
    readU32(record, 12) < 0x20_0000 // expiry stays a safe integer
  );
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
  const data = new Uint8Array(record.length - HEADER_SIZE);
  data.set(record.subarray(HEADER_SIZE, record.length));
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
