// Properties of loading a session whose stored bytes are garbage: a fresh session and one token-free report, never a rejection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager, SessionkitError, jsonCodec, msgpackCodec, type Codec } from '../../src/index.js';
import { generateToken, hashToken } from '../../src/token.js';
import { runs, timeoutFor } from './support/runs.js';

const HOUR = 60 * 60 * 1000;

function garbageFor(codec: Codec): fc.Arbitrary<Uint8Array> {
  const valid = codec.encode(
    Date.now() + HOUR,
    new Map<string, unknown>([
      ['user', 7],
      ['roles', ['a', 'b']],
      ['name', 'x'.repeat(40)],
    ]),
  );
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
    fc.tuple(fc.nat(valid.length - 1), fc.nat(7)).map(([i, bit]) => {
      const copy = valid.slice();
      copy[i]! ^= 1 << bit;
      return copy;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => Buffer.concat([valid, extra])),
  );
}

for (const codec of [msgpackCodec, jsonCodec]) {
  for (const hashTokenInStore of [false, true]) {
    describe(`manager.load with ${codec.name}Codec${hashTokenInStore ? ' and hashTokenInStore' : ''} over a store holding garbage`, () => {
      it(
        'gives a valid stored session or a fresh one, reports without the token, and never rejects',
        async () => {
          const store = new MemoryStore({ sweepInterval: 0 });
          const errors: SessionkitError[] = [];
          const manager = new SessionManager({ store, codec, hashTokenInStore, onError: (error) => errors.push(error) });
          const storeKey = (token: string) => (hashTokenInStore ? hashToken(token) : token);
          await fc.assert(
            fc.asyncProperty(garbageFor(codec), async (bytes) => {
              errors.length = 0;
              const token = generateToken();
              store.commit(storeKey(token), bytes, Date.now() + HOUR);
              const session = await manager.load(token);
              if (session.token === '') {
                expect(session.keys()).toEqual([]);
                expect(session.status).toBe('unmodified');
              } else {
                expect(session.token).toBe(token);
                expect(session.deadline).toBeGreaterThan(Date.now());
              }
              expect(errors.length).toBeLessThanOrEqual(1);
              for (const error of errors) {
                expect(error).toBeInstanceOf(SessionkitError);
                expect(error.message).toMatch(/^sessionkit: codec: a stored session could not be decoded/);
                const text = `${error.message} ${String(error.cause)} ${(error.cause as Error | undefined)?.message ?? ''}`;
                expect(text).not.toContain(token);
                expect(text).not.toContain(storeKey(token));
                expect(text).not.toContain('xxxxxxxx');
              }
              // The fresh session can be used and saved as usual.
              session.put('after', 1);
              const { token: saved } = await manager.commit(session);
              expect((await manager.load(saved)).get('after')).toBe(1);
              store.delete(storeKey(saved));
            }),
            runs(0.5),
          );
        },
        timeoutFor(0.5),
      );
    });
  }
}
