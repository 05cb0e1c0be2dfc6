// Bytes and time helpers of the conformance checks.
import { generateToken } from '../token.js';

const encoder = new TextEncoder();

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `Date.now()` has reached `time` (a timer may fire early; this never returns early). */
export async function sleepUntil(time: number): Promise<void> {
  while (Date.now() < time) await sleep(Math.max(1, time - Date.now()));
}

/** An expiry `ms` from now; by default a minute, longer than any check. */
export const later = (ms = 60_000): number => Date.now() + ms;

/** The given byte values. */
export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A copy of `data` in the middle of a larger buffer, as a pooled Buffer or a codec's slab hands bytes over. */
export function inLargerBuffer(data: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(data.length + 64);
  buffer.set(data, 32);
  return buffer.subarray(32, 32 + data.length);
}

/** The UTF-8 bytes of `value`. */
export function text(value: string): Uint8Array {
  return encoder.encode(value);
}

/** A plain Uint8Array copy, so a Buffer and a Uint8Array with the same bytes compare equal. */
export function plain(data: Uint8Array | undefined): Uint8Array | undefined {
  return data === undefined ? undefined : Uint8Array.from(data);
}

/** `length` random bytes (getRandomValues fills at most 64 KiB at a time). */
export function randomBytes(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(length, i + 65536)));
  return data;
}

/** A fresh owner (user id) no other check uses. */
export function owner(): string {
  return `user-${generateToken().slice(0, 12)}`;
}
