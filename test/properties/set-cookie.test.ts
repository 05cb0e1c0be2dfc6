// Properties of Set-Cookie serialization: whatever the options and values, a header either cannot be built or carries no injected CR, LF or ';'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieSerializer, resolveCookieOptions, type CookieOptions } from '../../src/cookie.js';
import { SaveAction, SessionManager } from '../../src/index.js';
import { generateToken } from '../../src/token.js';
import { anyText, runs, timeoutFor } from './support/runs.js';

const injected = fc.constantFrom(
  ';',
  '\r',
  '\n',
  '\r\n',
  '\0',
  '\x7f',
  ',',
  ' ',
  '"',
  '=',
  'é',
  '\u2028',
  '\ud800',
  '; Secure',
  '\r\nSet-Cookie: x=y',
  '; Domain=evil.example',
);
const nearlyValid = (valid: fc.Arbitrary<string>) =>
  fc.oneof(
    valid,
    fc.tuple(valid, injected, valid).map(([a, b, c]) => a + b + c),
    anyText(40),
  );

const options: fc.Arbitrary<CookieOptions> = fc.record(
  {
    name: nearlyValid(fc.constantFrom('session', 'sid', '__Host-sid', '__HOST-sid', '__Secure-sid', '__secure-x', 'a.b')),
    domain: nearlyValid(fc.constantFrom('example.com', '.example.com', 'a-b.example', 'localhost')),
    path: nearlyValid(fc.constantFrom('/', '/app', '/a b', '/x/y/')),
    httpOnly: fc.oneof(fc.boolean(), fc.constantFrom('true' as unknown as boolean, 1 as unknown as boolean)),
    secure: fc.oneof(fc.boolean(), fc.constant(undefined)),
    sameSite: fc.constantFrom('lax', 'strict', 'none', false, 'Lax', 'none; Secure', undefined) as fc.Arbitrary<CookieOptions['sameSite']>,
    partitioned: fc.boolean(),
    persist: fc.boolean(),
  },
  { requiredKeys: [] },
);

const ATTRIBUTE =
  /^(Path=[^;]+|Domain=[A-Za-z0-9.-]+|HttpOnly|Secure|SameSite=(Lax|Strict|None)|Partitioned|Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|Max-Age=\d+)$/;

/** True for CR, LF, NUL and every other C0 control or DEL: what could split or end a header. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A Set-Cookie value is one name=value pair and known attributes, with nothing a header could be split or extended by. */
function expectWellFormed(header: string, name: string): void {
  expect(hasControlCharacter(header)).toBe(false);
  const [pair, ...attributes] = header.split('; ');
  expect(pair!.startsWith(`${name}=`)).toBe(true);
  expect(pair!.slice(name.length + 1)).toMatch(/^[A-Za-z0-9_-]*$/);
  for (const attribute of attributes) expect(attribute).toMatch(ATTRIBUTE);
  expect(new Set(attributes.map((a) => a.split('=')[0])).size).toBe(attributes.length);
}

describe('Set-Cookie serialization', () => {
  it(
    'refuses options with a TypeError naming the option, or builds only well-formed headers',
    () => {
      fc.assert(
        fc.property(options, fc.oneof(fc.integer({ min: -1e15, max: 1e16 }), fc.double({ noNaN: true })), (given, expiresAt) => {
          let serializer: CookieSerializer;
          try {
            serializer = new CookieSerializer(resolveCookieOptions(given));
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
            expect((error as Error).message).toMatch(/^sessionkit: option cookie\.(name|domain|path|httpOnly|secure|sameSite|partitioned|persist) /);
            return;
          }
          const token = generateToken();
          for (const header of [serializer.serialize(token), serializer.serialize(token, expiresAt, Date.now()), serializer.clear()]) {
            expectWellFormed(header, given.name ?? 'session');
            if (given.path !== undefined) expect(header).toContain(`; Path=${given.path}`);
            if (given.domain !== undefined) expect(header).toContain(`; Domain=${given.domain}`);
          }
        }),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'refuses a cookie value outside cookie-octets, so no value can inject an attribute or a header',
    () => {
      const serializer = new CookieSerializer(resolveCookieOptions({}));
      fc.assert(
        fc.property(
          fc.oneof(
            anyText(60),
            fc.tuple(fc.string({ maxLength: 10 }), injected).map(([a, b]) => a + b),
          ),
          (value) => {
            let header: string;
            try {
              header = serializer.serialize(value);
            } catch (error) {
              expect(error).toBeInstanceOf(TypeError);
              expect((error as Error).message).toBe('sessionkit: cookie: value has characters outside RFC 6265 cookie-octets');
              return;
            }
            expect(hasControlCharacter(header)).toBe(false);
            expect(header.split(';')).toHaveLength(4);
            expect(value).toMatch(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/);
          },
        ),
        runs(),
      );
    },
    timeoutFor(),
  );

  it(
    'gives well-formed headers for committed sessions, whatever their deadline',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }), fc.boolean(), async (deadline, persist) => {
          const manager = new SessionManager({ cookie: { name: '__Host-sid', secure: true, persist } });
          const session = await manager.load();
          session.put('a', 1);
          session.setDeadline(deadline);
          await manager.commit(session);
          expectWellFormed(manager.setCookieHeader(session, SaveAction.SetCookie), '__Host-sid');
          expectWellFormed(manager.setCookieHeader(session, SaveAction.ClearCookie), '__Host-sid');
        }),
        runs(0.25),
      );
    },
    timeoutFor(0.25),
  );
});
