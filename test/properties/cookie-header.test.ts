// Properties of the Cookie-header scan and the token header: any input gives the first named value or nothing, fast.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenFromHeader } from '../../src/adapters/options.js';
import { findCookie } from '../../src/cookie.js';
import { SessionManager } from '../../src/index.js';
import { isToken } from '../../src/token.js';
import { anyText, inTime, runs, timeoutFor } from './support/runs.js';

/** What findCookie must return, written the slow and obvious way. */
function expectedCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const piece of header.split(';')) {
    const pair = piece.replace(/^[ \t]*/, '');
    if (!pair.startsWith(`${name}=`)) continue;
    let value = pair.slice(name.length + 1).replace(/[ \t]*$/, '');
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

const cookieName = fc.oneof(
  fc.constantFrom('session', 'sid', '__Host-sid', '__Secure-s', 'a', "!#$%&'*+-.^_`|~"),
  fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/),
);
const tokenValue = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const trickyChar = fc.constantFrom(';', '=', '"', ' ', '\t', ',', '\\', '\r', '\n', '\0', 'é', '\u00ff', '😀', '\ud800', '\udfff', 'a', 'A', '-', '_');
const tricky = fc.string({ unit: trickyChar, maxLength: 12 });
const valueText = fc.oneof(
  tokenValue,
  tricky,
  tokenValue.map((t) => `"${t}"`),
  tokenValue.map((t) => ` ${t}\t`),
  anyText(50),
);
const separator = fc.constantFrom(';', '; ', ';  ', ' ; ', ';\t', ';;', '; ;');

/** A Cookie header built of pairs whose names are the one looked for, near misses of it, or others. */
function headerAbout(name: string): fc.Arbitrary<string> {
  const pairName = fc.oneof(
    fc.constant(name),
    fc.constant(name.toUpperCase()),
    fc.constant(name.toLowerCase()),
    fc.constant(`${name}x`),
    fc.constant(`x${name}`),
    fc.constant(` ${name}`),
    fc.constant(`"${name}"`),
    fc.constant(''),
    cookieName,
    tricky,
  );
  const pair = fc.oneof(
    fc.tuple(pairName, valueText).map(([n, v]) => `${n}=${v}`),
    fc.tuple(pairName, valueText).map(([n, v]) => `${n} = ${v}`),
    pairName,
    valueText,
  );
  return fc
    .tuple(fc.array(fc.tuple(pair, separator), { maxLength: 12 }), fc.constantFrom('', ' ', '\t', ';'))
    .map(([pairs, lead]) => lead + pairs.map(([p, s], i) => (i === pairs.length - 1 ? p : p + s)).join(''));
}

const headerAndName = cookieName.chain((name) => fc.tuple(fc.oneof(headerAbout(name), anyText(300)), fc.constant(name)));

describe('findCookie on hostile headers', () => {
  it(
    'returns the first pair with exactly that name (trimmed, unquoted), else undefined, for any header',
    () => {
      fc.assert(
        fc.property(headerAndName, ([header, name]) => {
          const found = inTime(1000, () => findCookie(header, name));
          expect(found).toBe(expectedCookie(header, name));
          if (found !== undefined) expect(header).toContain(found);
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'takes the first of duplicated names, even when only a later one is token-shaped',
    () => {
      const manager = new SessionManager({ cookie: { name: 'sid' } });
      fc.assert(
        fc.property(
          fc.oneof(
            tokenValue,
            tricky.filter((v) => !v.includes(';')),
          ),
          tokenValue,
          headerAbout('other').filter((noise) => expectedCookie(noise, 'sid') === undefined && !noise.includes('sid=')),
          (first, second, noise) => {
            const header = `${noise}; sid=${first}; ${noise}; sid=${second}`;
            const expected = expectedCookie(`sid=${first}`, 'sid');
            expect(findCookie(header, 'sid')).toBe(expected);
            expect(manager.tokenFromCookie(header)).toBe(isToken(expected) ? expected : undefined);
          },
        ),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'scans headers of up to a megabyte in linear time',
    () => {
      const filler = fc.oneof(fc.constantFrom(' ', ';', 'a;', 'sid;', 'sid', 's=1; ', '\t; ', '"', '='), tricky, headerAbout('sid'));
      fc.assert(
        fc.property(filler, fc.integer({ min: 1, max: 1 << 20 }), fc.option(tokenValue), (piece, size, token) => {
          const header = piece.repeat(Math.max(1, Math.floor(size / Math.max(1, piece.length)))) + (token === null ? '' : `; sid=${token}`);
          const found = inTime(3000, () => findCookie(header, 'sid'));
          expect(found).toBe(expectedCookie(header, 'sid'));
        }),
        runs(0.02),
      );
    },
    timeoutFor(0.02, 200),
  );
});

describe('token lookup from request headers', () => {
  const manager = new SessionManager({ cookie: { name: 'sid' } });

  it(
    'manager.tokenFromCookie gives a token-shaped value from the header, or undefined',
    () => {
      fc.assert(
        fc.property(fc.oneof(headerAbout('sid'), anyText(300)), (header) => {
          const token = manager.tokenFromCookie(header);
          const value = expectedCookie(header, 'sid');
          expect(token).toBe(isToken(value) ? value : undefined);
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'tokenFromHeader reads the cookie, or only a whole token-shaped token header',
    () => {
      fc.assert(
        fc.property(
          fc.option(
            fc.oneof(
              headerAbout('sid'),
              anyText(100),
              tokenValue,
              tokenValue.map((t) => ` ${t}`),
            ),
            { nil: undefined },
          ),
          (value) => {
            expect(tokenFromHeader(manager, undefined, value)).toBe(manager.tokenFromCookie(value));
            const fromHeader = tokenFromHeader(manager, 'x-session-token', value);
            expect(fromHeader).toBe(isToken(value) ? value : undefined);
          },
        ),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'a token that is not in the store gives a fresh session, whatever the header held',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(headerAbout('sid'), anyText(100)), async (header) => {
          const session = await manager.load(manager.tokenFromCookie(header));
          expect(session.token).toBe('');
          expect(session.keys()).toEqual([]);
        }),
        runs(0.25),
      );
    },
    timeoutFor(0.25),
  );
});
