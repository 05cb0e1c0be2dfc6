// Checks of the optional store capabilities: conditional commit (commitIf) and the owner index (findByOwner).
import { expect } from 'vitest';
import { MAX_OWNER_LENGTH, type OwnedEntry, type Store } from '../store.js';
import { generateToken } from '../token.js';
import { group, type Check, type CheckContext } from './check.js';
import { inLargerBuffer, later, owner, plain, sleepUntil, text } from './helpers.js';

const decoder = new TextDecoder();

/** The method, or a skip (capability absent, not required) or a failure (absent but required). */
function capability<K extends 'commitIf' | 'findByOwner'>(store: Store, method: K, context: CheckContext): NonNullable<Store[K]> {
  const found = store[method];
  if (typeof found === 'function') return found.bind(store) as NonNullable<Store[K]>;
  if (context.options[method] === true) throw new Error(`${context.name} has no ${method}(); pass { ${method}: false } to skip this group`);
  return context.skip(`${context.name} has no ${method}()`);
}

function keysOf(entries: OwnedEntry[], among: string[]): string[] {
  return entries
    .map((entry) => entry.key)
    .filter((key) => among.includes(key))
    .sort();
}

/** commitIf(): writes only over the expected live bytes, atomically. */
export const commitIfChecks: Check[] = group('commitIf()', [
  {
    name: 'writes when the live bytes equal the expected ones, compared by value',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      await store.commit(token, text('one'), later());
      expect(await commitIf(token, text('one'), text('two'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('two'));
      const found = await store.find(token);
      expect(await commitIf(token, found, text('three'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('three'));
    },
  },
  {
    name: 'refuses, writing nothing, when the bytes differ',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      await store.commit(token, text('abcd'), later());
      for (const expected of [text('abce'), text('abc'), text('abcde'), new Uint8Array(0)]) {
        expect(await commitIf(token, expected, text('lost'), later())).toBe(false);
      }
      expect(await commitIf(token, undefined, text('lost'), later())).toBe(false);
      expect(plain(await store.find(token))).toEqual(text('abcd'));
    },
  },
  {
    name: 'refuses after a delete, so a revoked token never comes back',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      await store.commit(token, text('loggedin'), later());
      const loaded = plain(await store.find(token))!;
      await store.delete(token);
      expect(await commitIf(token, loaded, text('loggedin+change'), later())).toBe(false);
      expect(await store.find(token)).toBeUndefined();
    },
  },
  {
    name: 'refuses when the expected entry expired, and then treats it as absent',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      const expiresAt = Date.now() + 200;
      await store.commit(token, text('short'), expiresAt);
      await sleepUntil(expiresAt + (context.options.expirySlack ?? 5));
      expect(await commitIf(token, text('short'), text('revived'), later())).toBe(false);
      expect(await store.find(token)).toBeUndefined();
      expect(await commitIf(token, undefined, text('fresh'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('fresh'));
    },
  },
  {
    name: 'with undefined expected, inserts only when there is no live entry',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      expect(await commitIf(token, undefined, text('first'), later())).toBe(true);
      expect(await commitIf(token, undefined, text('second'), later())).toBe(false);
      expect(plain(await store.find(token))).toEqual(text('first'));
    },
  },
  {
    name: 'accepts an expiry already past and does not keep the entry',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const fresh = generateToken();
      expect(await commitIf(fresh, undefined, text('gone'), Date.now() - 1000)).toBe(true);
      expect(await store.find(fresh)).toBeUndefined();
      const live = generateToken();
      await store.commit(live, text('live'), later());
      expect(await commitIf(live, text('live'), text('gone'), Date.now() - 1)).toBe(true);
      expect(await store.find(live)).toBeUndefined();
    },
  },
  {
    name: 'keeps a copy of data that is a view into a larger buffer',
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      const data = inLargerBuffer(text('mine'));
      expect(await commitIf(token, undefined, data, later())).toBe(true);
      new Uint8Array(data.buffer).fill(0);
      expect(plain(await store.find(token))).toEqual(text('mine'));
    },
  },
  {
    name: 'loses nothing when 50 read-modify-write loops race on one entry',
    timeout: 60_000,
    async run(store, context) {
      const commitIf = capability(store, 'commitIf', context);
      const token = generateToken();
      await store.commit(token, text('[]'), later());
      const addItem = async (item: number): Promise<number> => {
        for (let attempt = 1; attempt <= 1000; attempt++) {
          const current = await store.find(token);
          const items = JSON.parse(decoder.decode(current)) as number[];
          if (await commitIf(token, current, text(JSON.stringify([...items, item])), later())) return attempt;
        }
        throw new Error(`item ${item} was refused 1000 times in a row`);
      };
      const attempts = await Promise.all(Array.from({ length: 50 }, (_, item) => addItem(item)));
      const items = JSON.parse(decoder.decode(await store.find(token))) as number[];
      expect(items.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, item) => item));
      expect(Math.max(...attempts)).toBeGreaterThan(1); // the loops did race
    },
  },
]);

/** findByOwner(): an owner's live entries, from an index. */
export const findByOwnerChecks: Check[] = group('findByOwner()', [
  {
    name: "returns the owner's live entries with data and expiry, and nobody else's",
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const [alice, bob] = [owner(), owner()];
      const [a1, a2, b1, none] = [generateToken(), generateToken(), generateToken(), generateToken()];
      const expiresAt = later();
      await store.commit(a1, text('a1'), expiresAt, alice);
      await store.commit(a2, text('a2'), expiresAt + 1000, alice);
      await store.commit(b1, text('b1'), expiresAt, bob);
      await store.commit(none, text('none'), expiresAt);
      const all = [a1, a2, b1, none];
      const found = await findByOwner(alice);
      expect(keysOf(found, all)).toEqual([a1, a2].sort());
      for (const entry of found) {
        expect(plain(entry.data)).toEqual(text(entry.key === a1 ? 'a1' : 'a2'));
        expect(Math.abs(entry.expiresAt - (entry.key === a1 ? expiresAt : expiresAt + 1000))).toBeLessThan(1000);
      }
      expect(keysOf(await findByOwner(bob), all)).toEqual([b1]);
      expect(await findByOwner(owner())).toEqual([]);
    },
  },
  {
    name: 'never returns a deleted entry',
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const user = owner();
      const [kept, deleted] = [generateToken(), generateToken()];
      await store.commit(kept, text('kept'), later(), user);
      await store.commit(deleted, text('deleted'), later(), user);
      await store.delete(deleted);
      expect(keysOf(await findByOwner(user), [kept, deleted])).toEqual([kept]);
    },
  },
  {
    name: 'never returns an expired entry',
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const user = owner();
      const [kept, short, past] = [generateToken(), generateToken(), generateToken()];
      const expiresAt = Date.now() + 200;
      await store.commit(kept, text('kept'), later(), user);
      await store.commit(short, text('short'), expiresAt, user);
      await store.commit(past, text('past'), Date.now() - 1000, user);
      await sleepUntil(expiresAt + (context.options.expirySlack ?? 5));
      expect(keysOf(await findByOwner(user), [kept, short, past])).toEqual([kept]);
    },
  },
  {
    name: "a commitIf() with an owner over another owner's expired entry indexes it under the new owner",
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const commitIf = capability(store, 'commitIf', context);
      const [previous, next] = [owner(), owner()];
      const token = generateToken();
      const expiresAt = Date.now() + 200;
      await store.commit(token, text('theirs'), expiresAt, previous);
      await sleepUntil(expiresAt + (context.options.expirySlack ?? 5));
      expect(await commitIf(token, undefined, text('mine'), later(), next)).toBe(true);
      const found = (await findByOwner(next)).filter((entry) => entry.key === token);
      expect(found.map((entry) => plain(entry.data))).toEqual([text('mine')]);
    },
  },
  {
    name: 'keeps the owner through touch()',
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      if (typeof store.touch !== 'function') context.skip(`${context.name} has no touch()`);
      const user = owner();
      const token = generateToken();
      await store.commit(token, text('touched'), Date.now() + 1000, user);
      const moved = later() + 5000;
      await store.touch!(token, moved);
      const found = (await findByOwner(user)).filter((entry) => entry.key === token);
      expect(found).toHaveLength(1);
      expect(Math.abs(found[0]!.expiresAt - moved)).toBeLessThan(1000);
      expect(plain(found[0]!.data)).toEqual(text('touched'));
    },
  },
  {
    name: "follows the latest commit's owner",
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const [first, second] = [owner(), owner()];
      const token = generateToken();
      await store.commit(token, text('v1'), later(), first);
      await store.commit(token, text('v2'), later(), second);
      const found = (await findByOwner(second)).filter((entry) => entry.key === token);
      expect(found.map((entry) => plain(entry.data))).toEqual([text('v2')]);
      // The previous owner's index MAY still list the key (the manager checks the user id in the data); if so, with the current data.
      for (const entry of (await findByOwner(first)).filter((listed) => listed.key === token)) expect(plain(entry.data)).toEqual(text('v2'));
    },
  },
  {
    name: 'indexes a conditional commit under its owner',
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      if (typeof store.commitIf !== 'function') context.skip(`${context.name} has no commitIf()`);
      const user = owner();
      const token = generateToken();
      expect(await store.commitIf!(token, undefined, text('new'), later(), user)).toBe(true);
      expect(keysOf(await findByOwner(user), [token])).toEqual([token]);
    },
  },
  {
    name: `accepts an owner of ${MAX_OWNER_LENGTH} characters, not only ASCII`,
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const user = `${owner()}-${'ü'.repeat(40)}-😀`.padEnd(MAX_OWNER_LENGTH, 'x');
      const token = generateToken();
      await store.commit(token, text('long owner'), later(), user);
      expect(keysOf(await findByOwner(user), [token])).toEqual([token]);
      expect(keysOf(await findByOwner(user.slice(0, -1)), [token])).toEqual([]);
    },
  },
  {
    name: 'refuses an owner that is not a user id (empty, too long, a control character, a lone surrogate) with a TypeError that never shows it',
    async run(store, context) {
      const findByOwner = capability(store, 'findByOwner', context);
      const id = owner();
      const refused = ['', `${id}${'x'.repeat(MAX_OWNER_LENGTH)}`, `${id}\u0000`, `${id}\n`, `${id}\u007f`, `${id}\u0085`, `${id}\uD800`];
      for (const user of refused) {
        const token = generateToken();
        for (const attempt of [(): unknown => findByOwner(user), (): unknown => store.commit(token, text('x'), later(), user)]) {
          const error: unknown = await Promise.resolve()
            .then(attempt)
            .then(
              () => undefined,
              (failure: unknown) => failure,
            );
          expect(error, JSON.stringify(user)).toBeInstanceOf(TypeError);
          expect((error as Error).message).not.toContain(id);
        }
        expect(await store.find(token)).toBeUndefined();
      }
    },
  },
  {
    name: 'never calls all()',
    async run(store, context) {
      capability(store, 'findByOwner', context);
      const user = owner();
      const token = generateToken();
      await store.commit(token, text('indexed'), later(), user);
      const own = Object.getOwnPropertyDescriptor(store, 'all');
      Object.defineProperty(store, 'all', {
        configurable: true,
        value: () => {
          throw new Error('findByOwner() called all()');
        },
      });
      try {
        expect(keysOf(await store.findByOwner!(user), [token])).toEqual([token]);
      } finally {
        if (own === undefined) delete (store as { all?: unknown }).all;
        else Object.defineProperty(store, 'all', own);
      }
    },
  },
]);
