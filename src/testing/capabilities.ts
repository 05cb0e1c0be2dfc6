// Conformance groups for the optional store capabilities: conditional commit (commitIf) and the owner index (findByOwner).
import { describe, expect, it, type TestContext } from 'vitest';
import { MAX_OWNER_LENGTH, type OwnedEntry, type Store } from '../store.js';
import { generateToken } from '../token.js';

export interface CapabilityOptions {
  /** Run the `commitIf()` group: `true` requires the method, `false` skips the group; default: when the store has it. */
  commitIf?: boolean;
  /** Run the `findByOwner()` group: `true` requires the method, `false` skips the group; default: when the store has it. */
  findByOwner?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const later = () => Date.now() + 60_000;

async function sleepUntil(time: number): Promise<void> {
  while (Date.now() < time) await sleep(Math.max(1, time - Date.now()));
}

function text(value: string): Uint8Array {
  return encoder.encode(value);
}

function plain(data: Uint8Array | undefined): Uint8Array | undefined {
  return data === undefined ? undefined : Uint8Array.from(data);
}

function owner(): string {
  return `user-${generateToken().slice(0, 12)}`;
}

/** The method, or a skip (capability absent, not required) or a failure (absent but required). */
function capability<K extends 'commitIf' | 'findByOwner'>(store: Store, method: K, required: boolean | undefined, name: string, context: TestContext): NonNullable<Store[K]> {
  const found = store[method];
  if (typeof found === 'function') return found.bind(store) as NonNullable<Store[K]>;
  if (required === true) throw new Error(`${name} has no ${method}(); pass { ${method}: false } to skip this group`);
  return context.skip(`${name} has no ${method}()`);
}

function keysOf(entries: OwnedEntry[], among: string[]): string[] {
  return entries.map((entry) => entry.key).filter((key) => among.includes(key)).sort();
}

/**
 * Registers the capability groups inside a store's conformance suite. `getStore` returns the store
 * the suite opened in its `beforeAll`. A group whose capability the store lacks is skipped.
 */
export function capabilityConformance(name: string, getStore: () => Store, options: CapabilityOptions & { expirySlack?: number } = {}): void {
  const slack = options.expirySlack ?? 5;

  describe.skipIf(options.commitIf === false)('commitIf()', () => {
    const setup = (context: TestContext) => ({ store: getStore(), commitIf: capability(getStore(), 'commitIf', options.commitIf, name, context) });

    it('writes when the live bytes equal the expected ones, compared by value', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      await store.commit(token, text('one'), later());
      expect(await commitIf(token, text('one'), text('two'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('two'));
      const found = await store.find(token);
      expect(await commitIf(token, found, text('three'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('three'));
    });

    it('refuses, writing nothing, when the bytes differ', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      await store.commit(token, text('abcd'), later());
      for (const expected of [text('abce'), text('abc'), text('abcde'), new Uint8Array(0)]) {
        expect(await commitIf(token, expected, text('lost'), later())).toBe(false);
      }
      expect(await commitIf(token, undefined, text('lost'), later())).toBe(false);
      expect(plain(await store.find(token))).toEqual(text('abcd'));
    });

    it('refuses after a delete, so a revoked token never comes back', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      await store.commit(token, text('loggedin'), later());
      const loaded = plain(await store.find(token))!;
      await store.delete(token);
      expect(await commitIf(token, loaded, text('loggedin+change'), later())).toBe(false);
      expect(await store.find(token)).toBeUndefined();
    });

    it('refuses when the expected entry expired, and then treats it as absent', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      const expiresAt = Date.now() + 200;
      await store.commit(token, text('short'), expiresAt);
      await sleepUntil(expiresAt + slack);
      expect(await commitIf(token, text('short'), text('revived'), later())).toBe(false);
      expect(await store.find(token)).toBeUndefined();
      expect(await commitIf(token, undefined, text('fresh'), later())).toBe(true);
      expect(plain(await store.find(token))).toEqual(text('fresh'));
    });

    it('with undefined expected, inserts only when there is no live entry', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      expect(await commitIf(token, undefined, text('first'), later())).toBe(true);
      expect(await commitIf(token, undefined, text('second'), later())).toBe(false);
      expect(plain(await store.find(token))).toEqual(text('first'));
    });

    it('accepts an expiry already past and does not keep the entry', async (context) => {
      const { store, commitIf } = setup(context);
      const fresh = generateToken();
      expect(await commitIf(fresh, undefined, text('gone'), Date.now() - 1000)).toBe(true);
      expect(await store.find(fresh)).toBeUndefined();
      const live = generateToken();
      await store.commit(live, text('live'), later());
      expect(await commitIf(live, text('live'), text('gone'), Date.now() - 1)).toBe(true);
      expect(await store.find(live)).toBeUndefined();
    });

    it('keeps its own copy of the data', async (context) => {
      const { store, commitIf } = setup(context);
      const token = generateToken();
      const data = text('mine');
      expect(await commitIf(token, undefined, data, later())).toBe(true);
      data.fill(0);
      expect(plain(await store.find(token))).toEqual(text('mine'));
    });

    it('loses nothing when 50 read-modify-write loops race on one entry', { timeout: 60_000 }, async (context) => {
      const { store, commitIf } = setup(context);
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
    });
  });

  describe.skipIf(options.findByOwner === false)('findByOwner()', () => {
    const setup = (context: TestContext) => ({ store: getStore(), findByOwner: capability(getStore(), 'findByOwner', options.findByOwner, name, context) });

    it("returns the owner's live entries with data and expiry, and nobody else's", async (context) => {
      const { store, findByOwner } = setup(context);
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
    });

    it('never returns a deleted entry', async (context) => {
      const { store, findByOwner } = setup(context);
      const user = owner();
      const [kept, deleted] = [generateToken(), generateToken()];
      await store.commit(kept, text('kept'), later(), user);
      await store.commit(deleted, text('deleted'), later(), user);
      await store.delete(deleted);
      expect(keysOf(await findByOwner(user), [kept, deleted])).toEqual([kept]);
    });

    it('never returns an expired entry', async (context) => {
      const { store, findByOwner } = setup(context);
      const user = owner();
      const [kept, short, past] = [generateToken(), generateToken(), generateToken()];
      const expiresAt = Date.now() + 200;
      await store.commit(kept, text('kept'), later(), user);
      await store.commit(short, text('short'), expiresAt, user);
      await store.commit(past, text('past'), Date.now() - 1000, user);
      await sleepUntil(expiresAt + slack);
      expect(keysOf(await findByOwner(user), [kept, short, past])).toEqual([kept]);
    });

    it('keeps the owner through touch()', async (context) => {
      const { store, findByOwner } = setup(context);
      if (typeof store.touch !== 'function') context.skip();
      const user = owner();
      const token = generateToken();
      await store.commit(token, text('touched'), Date.now() + 1000, user);
      const moved = later() + 5000;
      await store.touch!(token, moved);
      const found = (await findByOwner(user)).filter((entry) => entry.key === token);
      expect(found).toHaveLength(1);
      expect(Math.abs(found[0]!.expiresAt - moved)).toBeLessThan(1000);
      expect(plain(found[0]!.data)).toEqual(text('touched'));
    });

    it("follows the latest commit's owner", async (context) => {
      const { store, findByOwner } = setup(context);
      const [first, second] = [owner(), owner()];
      const token = generateToken();
      await store.commit(token, text('v1'), later(), first);
      await store.commit(token, text('v2'), later(), second);
      const found = (await findByOwner(second)).filter((entry) => entry.key === token);
      expect(found.map((entry) => plain(entry.data))).toEqual([text('v2')]);
      // The previous owner's index MAY still list the key (the manager checks the user id in the data); if so, with the current data.
      for (const entry of (await findByOwner(first)).filter((listed) => listed.key === token)) expect(plain(entry.data)).toEqual(text('v2'));
    });

    it('indexes a conditional commit under its owner', async (context) => {
      const { store, findByOwner } = setup(context);
      if (typeof store.commitIf !== 'function') context.skip();
      const user = owner();
      const token = generateToken();
      expect(await store.commitIf!(token, undefined, text('new'), later(), user)).toBe(true);
      expect(keysOf(await findByOwner(user), [token])).toEqual([token]);
    });

    it(`accepts an owner of ${MAX_OWNER_LENGTH} characters, not only ASCII`, async (context) => {
      const { store, findByOwner } = setup(context);
      const user = `${owner()}-${'ü'.repeat(40)}-😀`.padEnd(MAX_OWNER_LENGTH, 'x');
      const token = generateToken();
      await store.commit(token, text('long owner'), later(), user);
      expect(keysOf(await findByOwner(user), [token])).toEqual([token]);
      expect(keysOf(await findByOwner(user.slice(0, -1)), [token])).toEqual([]);
    });

    it('never calls all()', async (context) => {
      const { store } = setup(context);
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
    });
  });
}
