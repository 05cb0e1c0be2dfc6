// Properties of the token shape check: exactly 43 base64url characters pass, anything else (any type) fails, without throwing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, isToken } from '../../src/token.js';
import { anyText, runs, timeoutFor } from './support/runs.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/** 43-character strings that are tokens but for one character, one too many or one too few. */
const nearToken = fc.oneof(
  fc
    .tuple(
      fc.string({ unit: base64url, minLength: 43, maxLength: 43 }),
      fc.nat(42),
      anyText(1).filter((c) => c.length > 0),
    )
    .map(([token, at, c]) => token.slice(0, at) + c + token.slice(at + 1)),
  fc.string({ unit: base64url, minLength: 40, maxLength: 46 }),
  fc.string({ unit: base64url, minLength: 43, maxLength: 43 }).map((t) => `${t.slice(0, 42)}=`),
  fc.string({ unit: base64url, minLength: 42, maxLength: 42 }).map((t) => `${t}\u0100`),
);

describe('isToken on hostile input', () => {
  it(
    'is true exactly for 43 base64url characters, for any string',
    () => {
      fc.assert(
        fc.property(fc.oneof(anyText(60), nearToken), (value) => {
          expect(isToken(value)).toBe(TOKEN_SHAPE.test(value));
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'answers each value on its own, whatever was checked before it (the check remembers the last token)',
    () => {
      const token = fc.string({ unit: base64url, minLength: 43, maxLength: 43 });
      fc.assert(
        fc.property(fc.array(fc.oneof(token, nearToken, anyText(60)), { minLength: 2, maxLength: 6 }), (values) => {
          for (const value of values) expect(isToken(value)).toBe(TOKEN_SHAPE.test(value));
        }),
        runs(),
      );
      const valid = generateToken();
      expect(isToken(valid)).toBe(true);
      expect(isToken(`${valid.slice(0, 42)}=`)).toBe(false);
      expect(isToken(valid)).toBe(true);
      expect(isToken(new String(valid))).toBe(false);
      expect(isToken('')).toBe(false);
    },
    timeoutFor(),
  );

  it(
    'is false, never a throw, for values of any other type',
    () => {
      fc.assert(
        fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withBoxedValues: true }), (value) => {
          expect(isToken(value)).toBe(typeof value === 'string' && TOKEN_SHAPE.test(value));
        }),
        runs(),
      );
      expect(isToken(new String(generateToken()))).toBe(false);
    },
    timeoutFor(),
  );

  it(
    'accepts every generated token and every store-key hash',
    () => {
      fc.assert(
        fc.property(anyText(60), (anything) => {
          expect(isToken(generateToken())).toBe(true);
          expect(isToken(hashToken(anything))).toBe(true);
        }),
        runs(0.25),
      );
    },
    timeoutFor(0.25),
  );
});
