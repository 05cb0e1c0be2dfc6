// The msgpack codec's fast path: a record of plain values (ASCII strings, numbers, booleans, null, Dates, arrays of those), written byte for byte as msgpackr would.

import { types } from 'node:util';

/** The largest record the fast path writes; bigger ones go to msgpackr. */
const MAX_RECORD = 4 * 1024;
/** The slab records are copied out into; it holds at least four of the largest. */
const OUTPUT_SLAB = 16 * 1024;
/** How deep arrays may nest in the fast path. */
const MAX_DEPTH = 4;

/**
 * Writes `[deadline, values]` as msgpackr (with `useRecords: true`, no float32, no string
 * bundling) writes it, when every key is an ASCII string and every value is an ASCII string, a
 * number, a boolean, null, a Date, or an array of such values: the common session. Returns
 * undefined for anything else (objects, Maps, Sets, bytes, bigints, undefined, non-ASCII text, a
 * sparse array, a date before 1970, a record over 4 KiB), which msgpackr then encodes.
 *
 * The bytes are identical to msgpackr's (a property test compares them), so records written by
 * either decode the same and compare equal in a conditional write; this path only skips msgpackr's
 * per-entry allocations. A record is written into one reused scratch buffer, then copied into a
 * 16 KiB slab that is filled front to back and never written again, so the bytes handed out stay
 * valid (a buffer of its own per record would cost an off-heap allocation per save). A store that
 * keeps bytes for long copies them (MemoryStore packs them into slabs of its own), so a kept
 * session never holds a codec slab alive.
 */
export class PlainRecordWriter {
  readonly #scratch = new Uint8Array(MAX_RECORD);
  readonly #view = new DataView(this.#scratch.buffer);
  #position = 0;
  /** Where written records are copied: bytes past `#slabUsed` only. */
  #slab = new Uint8Array(OUTPUT_SLAB);
  #slabUsed = 0;
  /** Where the record may end. */
  readonly #limit = MAX_RECORD;
  #failed = false;

  write(deadline: number, values: ReadonlyMap<string, unknown>): Uint8Array | undefined {
    // Every entry takes at least two bytes: a bigger map can only be refused, so it is not walked.
    if (values.size > MAX_RECORD / 2) return undefined;
    this.#position = 0;
    this.#failed = false;
    this.#scratch[this.#position++] = 0x92; // fixarray of 2
    this.#number(deadline); // a number always fits: the record has just begun
    this.#mapHeader(values.size);
    values.forEach(writeEntry, this);
    if (this.#failed || this.#position > this.#limit) return undefined;
    return this.#output(this.#position);
  }

  /** The first `length` bytes of the scratch buffer, copied to where nothing writes over them. */
  #output(length: number): Uint8Array {
    let start = this.#slabUsed;
    if (start + length > OUTPUT_SLAB) {
      this.#slab = new Uint8Array(OUTPUT_SLAB);
      start = 0;
    }
    const end = start + length;
    this.#slab.set(this.#scratch.subarray(0, length), start);
    this.#slabUsed = end;
    return this.#slab.subarray(start, end);
  }

  /** Writes one map entry; marks the record failed for anything the fast path does not write. */
  entry(value: unknown, key: string): void {
    if (this.#failed) return;
    if (typeof key !== 'string' || !this.#string(key) || !this.#value(value, 0)) this.#failed = true;
  }

  #value(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'string':
        return this.#string(value);
      case 'number':
        return this.#number(value);
      case 'boolean':
        return this.#byte(value ? 0xc3 : 0xc2);
      case 'object':
        if (value === null) return this.#byte(0xc0);
        // The constructor is what msgpackr dispatches on; the brand checks refuse objects that only claim one.
        if (value.constructor === Array) return Array.isArray(value) && depth < MAX_DEPTH && this.#array(value, depth + 1);
        if (value.constructor === Date) return types.isDate(value) && this.#date(value);
        return false;
      default:
        return false;
    }
  }

  /** A dense array of plain values, with msgpackr's array header. */
  #array(array: unknown[], depth: number): boolean {
    const length = array.length;
    if (length < 0x10) {
      if (!this.#byte(0x90 | length)) return false;
    } else {
      if (length >= 0x10000 || this.#position + 3 > this.#limit) return false;
      const scratch = this.#scratch;
      scratch[this.#position++] = 0xdc;
      scratch[this.#position++] = length >> 8;
      scratch[this.#position++] = length & 0xff;
    }
    for (let i = 0; i < length; i++) {
      if (!(i in array) || !this.#value(array[i], depth)) return false;
    }
    return true;
  }

  /** msgpackr's timestamp extension: 32-bit for whole seconds, 64-bit otherwise; other dates go to msgpackr. */
  #date(date: Date): boolean {
    const seconds = date.getTime() / 1000;
    const view = this.#view;
    if (date.getMilliseconds() === 0 && seconds >= 0 && seconds < 0x100000000) {
      if (this.#position + 6 > this.#limit) return false;
      this.#scratch[this.#position++] = 0xd6;
      this.#scratch[this.#position++] = 0xff;
      view.setUint32(this.#position, seconds);
      this.#position += 4;
      return true;
    }
    if (seconds > 0 && seconds < 0x400000000) {
      if (this.#position + 10 > this.#limit) return false;
      this.#scratch[this.#position++] = 0xd7;
      this.#scratch[this.#position++] = 0xff;
      view.setUint32(this.#position, date.getMilliseconds() * 4000000 + ((seconds / 0x100000000) >> 0));
      view.setUint32(this.#position + 4, seconds);
      this.#position += 8;
      return true;
    }
    return false;
  }

  #byte(value: number): boolean {
    if (this.#position >= this.#limit) return false;
    this.#scratch[this.#position++] = value;
    return true;
  }

  #mapHeader(size: number): void {
    const scratch = this.#scratch;
    if (size < 0x10) scratch[this.#position++] = 0x80 | size;
    else if (size < 0x10000) {
      scratch[this.#position++] = 0xde;
      scratch[this.#position++] = size >> 8;
      scratch[this.#position++] = size & 0xff;
    } else {
      scratch[this.#position++] = 0xdf;
      this.#view.setUint32(this.#position, size);
      this.#position += 4;
    }
  }

  /** msgpackr's number encoding: the smallest integer form for 32-bit integers (fixint only below 0x40, which records leave free), else a float64. */
  #number(value: number): boolean {
    if (this.#position + 9 > this.#limit) return false;
    const scratch = this.#scratch;
    if (value >>> 0 === value) {
      if (value < 0x40) scratch[this.#position++] = value;
      else if (value < 0x100) {
        scratch[this.#position++] = 0xcc;
        scratch[this.#position++] = value;
      } else if (value < 0x10000) {
        scratch[this.#position++] = 0xcd;
        scratch[this.#position++] = value >> 8;
        scratch[this.#position++] = value & 0xff;
      } else {
        scratch[this.#position++] = 0xce;
        this.#view.setUint32(this.#position, value);
        this.#position += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) scratch[this.#position++] = 0x100 + value;
      else if (value >= -0x80) {
        scratch[this.#position++] = 0xd0;
        scratch[this.#position++] = value + 0x100;
      } else if (value >= -0x8000) {
        scratch[this.#position++] = 0xd1;
        this.#view.setInt16(this.#position, value);
        this.#position += 2;
      } else {
        scratch[this.#position++] = 0xd2;
        this.#view.setInt32(this.#position, value);
        this.#position += 4;
      }
    } else {
      scratch[this.#position++] = 0xcb;
      this.#view.setFloat64(this.#position, value);
      this.#position += 8;
    }
    return true;
  }

  /** An ASCII string with msgpackr's str header; false (nothing usable written) for any other. */
  #string(value: string): boolean {
    const length = value.length;
    const header = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    if (this.#position + header + length > this.#limit) return false;
    const scratch = this.#scratch;
    let at = this.#position;
    if (header === 1) scratch[at++] = 0xa0 | length;
    else if (header === 2) {
      scratch[at++] = 0xd9;
      scratch[at++] = length;
    } else if (header === 3) {
      scratch[at++] = 0xda;
      scratch[at++] = length >> 8;
      scratch[at++] = length & 0xff;
    } else return false; // never: MAX_RECORD is below 64 KiB
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      scratch[at++] = code;
    }
    this.#position = at;
    return true;
  }
}

function writeEntry(this: PlainRecordWriter, value: unknown, key: string): void {
  this.entry(value, key);
}
