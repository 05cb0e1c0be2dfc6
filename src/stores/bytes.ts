// Byte views shared by the stores: drivers want a Buffer in and give a Buffer back; sessionkit deals in plain Uint8Array.

/** A Buffer over the same memory as `data` (no copy), for a driver to send. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A plain Uint8Array over the same memory as a driver's Buffer (no copy), so results compare equal to any Uint8Array. */
export function asBytes(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
