import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, isToken } from '../../src/token.js';

describe('tokens', () => {
  it('are 43 base64url characters from 32 random bytes, all different', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const token = generateToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      tokens.add(token);
    }
    expect(tokens.size).toBe(1000);
  });

  it('accepts only the token shape', () => {
    const token = generateToken();
    expect(isToken(token)).toBe(true);
    expect(isToken(token.slice(1))).toBe(false);
    expect(isToken(`${token}A`)).toBe(false);
    expect(isToken(`${token.slice(1)}=`)).toBe(false);
    expect(isToken(`${token.slice(1)}+`)).toBe(false);
    expect(isToken(`${token.slice(1)}é`)).toBe(false);
    expect(isToken(`${token.slice(1)}\u0000`)).toBe(false);
    expect(isToken('')).toBe(false);
    expect(isToken(undefined)).toBe(false);
    expect(isToken(42)).toBe(false);
  });

  it('hash to sha256 base64url, which is itself token-shaped', () => {
    const token = generateToken();
    const hash = hashToken(token);
    expect(hash).not.toBe(token);
    expect(hash).toBe(hashToken(token));
    expect(isToken(hash)).toBe(true);
    expect(hashToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});
