// Session tokens: 32 CSPRNG bytes as base64url (43 chars), a shape check that allocates nothing, and store-key hashing.
import { createHash, randomFillSync } from 'node:crypto';

/** Length of a token: 32 bytes in unpadded base64url. */
export const TOKEN_LENGTH = 43;
const TOKEN_BYTES = 32;
const POOL_TOKENS = 128;

// One randomFillSync call serves 128 tokens; each 32-byte window is used once.
const pool = Buffer.allocUnsafe(TOKEN_BYTES * POOL_TOKENS);
let poolOffset = pool.length;

/** A new random token: 32 bytes from the OS CSPRNG, base64url without padding. */
export function generateToken(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const token = pool.toString('base64url', poolOffset, poolOffset + TOKEN_BYTES);
  pool.fill(0, poolOffset, poolOffset + TOKEN_BYTES);
  poolOffset += TOKEN_BYTES;
  return token;
}

const BASE64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') BASE64URL[c.charCodeAt(0)] = 1;

/**
 * The last string that passed `isToken`. A request checks its token several times (cookie,
 * load, Set-Cookie) as the same string: the second check is one comparison. Starts as a string
 * that has the shape, so the shortcut never admits anything the full check would refuse.
 */
let lastToken = 'A'.repeat(TOKEN_LENGTH);

/** True when `value` has the shape of a sessionkit token; anything else must never reach a store. */
export function isToken(value: unknown): value is string {
  if (value === lastToken) return true;
  if (typeof value !== 'string' || value.length !== TOKEN_LENGTH) return false;
  for (let i = 0; i < TOKEN_LENGTH; i++) {
    const code = value.charCodeAt(i);
    if (code > 127 || BASE64URL[code] === 0) return false;
  }
  lastToken = value;
  return true;
}

/** The store key for a token when `hashTokenInStore` is on: sha256(token), base64url (43 chars). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
