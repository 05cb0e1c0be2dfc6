// The checks every store must pass: find, commit, delete, expiry, bytes, size, concurrency, all() and touch().
import { expect } from 'vitest';
import type { Store } from '../store.js';
import { generateToken } from '../token.js';
import { group, type Check, type CheckContext } from './check.js';
import { bytes, inLargerBuffer, later, plain, randomBytes, sleepUntil } from './helpers.js';

const slack = (context: CheckContext): number => context.options.expirySlack ?? 5;

/** The store's `method`, or a failure saying how to skip its group. */
function required<K extends 'all' | 'touch'>(store: Store, method: K, context: CheckContext): NonNullable<Store[K]> {
  const found = store[method];
  if (typeof found !== 'function') throw new Error(`${context.name} has no ${method}(); pass { ${method}: false } to skip this group`);
  return found.bind(store) as NonNullable<Store[K]>;
}

async function collect(store: Store, tokens: Set<string>, context: CheckContext): Promise<Map<string, Uint8Array>> {
  const seen = new Map<string, Uint8Array>();
  for await (const [token, data] of required(store, 'all', context)()) if (tokens.has(token)) seen.set(token, Uint8Array.from(data));
  return seen;
}

/** find, commit and delete, expiry, binary data, a big session, concurrent commits. */
export const basicChecks: Check[] = group('', [
  {
    name: 'finds nothing for an unknown token',
    async run(store) {
      expect(await store.find(generateToken())).toBeUndefined();
    },
  },
  {
    name: 'finds what was committed',
    async run(store) {
      const token = generateToken();
      await store.commit(token, bytes(1, 2, 3), later());
      expect(plain(await store.find(token))).toEqual(bytes(1, 2, 3));
    },
  },
  {
    name: 'overwrites on commit',
    async run(store) {
      const token = generateToken();
      await store.commit(token, bytes(1), later());
      await store.commit(token, bytes(2, 2), later());
      expect(plain(await store.find(token))).toEqual(bytes(2, 2));
    },
  },
  {
    name: 'deletes, and deleting a missing token is no error',
    async run(store) {
      const token = generateToken();
      await store.commit(token, bytes(9), later());
      await store.delete(token);
      expect(await store.find(token)).toBeUndefined();
      await expect(Promise.resolve(store.delete(token))).resolves.toBeUndefined();
      await expect(Promise.resolve(store.delete(generateToken()))).resolves.toBeUndefined();
    },
  },
  {
    // A caller never writes data it committed again; a view into a larger buffer is lent only for the call.
    name: 'keeps a copy of committed data that is a view into a larger buffer',
    async run(store) {
      const token = generateToken();
      const data = inLargerBuffer(bytes(5, 6, 7));
      await store.commit(token, data, later());
      new Uint8Array(data.buffer).fill(0);
      expect(plain(await store.find(token))).toEqual(bytes(5, 6, 7));
    },
  },
  {
    name: 'honours expiry to the millisecond bound',
    async run(store, context) {
      const token = generateToken();
      const expiresAt = Date.now() + 1000;
      await store.commit(token, bytes(4), expiresAt);
      expect(plain(await store.find(token))).toEqual(bytes(4));
      await sleepUntil(expiresAt + slack(context));
      expect(await store.find(token)).toBeUndefined();
    },
  },
  {
    name: 'accepts an expiry already past and does not keep the entry',
    async run(store) {
      const token = generateToken();
      await store.commit(token, bytes(1), Date.now() - 1000);
      expect(await store.find(token)).toBeUndefined();
      const live = generateToken();
      await store.commit(live, bytes(2), later());
      await store.commit(live, bytes(3), Date.now() - 1);
      expect(await store.find(live)).toBeUndefined();
    },
  },
  {
    name: 'round-trips every byte value exactly',
    async run(store) {
      const token = generateToken();
      const data = new Uint8Array(4096 + 256);
      for (let i = 0; i < 256; i++) data[i] = i;
      data.set(randomBytes(4096), 256);
      await store.commit(token, data, later());
      const found = await store.find(token);
      expect(found).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(found!, data)).toBe(0);
    },
  },
  {
    name: 'stores a big session',
    async run(store, context) {
      const token = generateToken();
      const data = randomBytes(context.options.bigSession ?? 1024 * 1024);
      await store.commit(token, data, later());
      const found = await store.find(token);
      expect(found?.length).toBe(data.length);
      expect(Buffer.compare(found!, data)).toBe(0);
    },
  },
  {
    name: 'keeps concurrent commits to different tokens apart',
    async run(store) {
      const tokens = Array.from({ length: 50 }, () => generateToken());
      await Promise.all(tokens.map((token, i) => store.commit(token, bytes(i, i + 1, i + 2), later())));
      const found = await Promise.all(tokens.map((token) => store.find(token)));
      found.forEach((data, i) => expect(plain(data)).toEqual(bytes(i, i + 1, i + 2)));
    },
  },
]);

/** all(): live sessions only. */
export const allChecks: Check[] = group('all()', [
  {
    name: 'lists live sessions only, with their data',
    async run(store, context) {
      required(store, 'all', context);
      const live = [generateToken(), generateToken(), generateToken()];
      const short = generateToken();
      const past = generateToken();
      await Promise.all(live.map((token, i) => store.commit(token, bytes(i), later())));
      await store.commit(past, bytes(8), Date.now() - 1000);
      const deleted = generateToken();
      await store.commit(deleted, bytes(9), later());
      await store.delete(deleted);
      const shortExpiry = Date.now() + 500;
      await store.commit(short, bytes(7), shortExpiry);
      const ours = new Set([...live, short, past, deleted]);
      const listed = [...(await collect(store, ours, context)).keys()].sort();
      // On a loaded machine the listing may end after the short entry expired: only then may it be missing.
      const shortMayBeGone = Date.now() >= shortExpiry;
      expect(listed).toEqual((shortMayBeGone && !listed.includes(short) ? live : [...live, short]).sort());
      await sleepUntil(shortExpiry + slack(context));
      const seen = await collect(store, ours, context);
      expect([...seen.keys()].sort()).toEqual([...live].sort());
      live.forEach((token, i) => expect(seen.get(token)).toEqual(bytes(i)));
    },
  },
]);

/** touch(): moves a live entry's expiry, never revives an expired one. */
export const touchChecks: Check[] = group('touch()', [
  {
    name: 'moves the expiry without rewriting data, and ignores missing tokens',
    async run(store, context) {
      const touch = required(store, 'touch', context);
      const token = generateToken();
      const first = Date.now() + 1000;
      await store.commit(token, bytes(3, 1, 4), first);
      await touch(token, Date.now() + 60_000);
      await sleepUntil(first + slack(context) + 50);
      expect(plain(await store.find(token))).toEqual(bytes(3, 1, 4));
      await touch(token, Date.now() - 1000);
      expect(await store.find(token)).toBeUndefined();
      const missing = generateToken();
      await touch(missing, Date.now() + 60_000);
      expect(await store.find(missing)).toBeUndefined();
    },
  },
  {
    name: 'says whether it moved a live entry',
    async run(store, context) {
      const touch = required(store, 'touch', context);
      // A store may answer nothing; one that answers must answer true only for a live entry it moved.
      const said = async (token: string, expiresAt: number): Promise<void | boolean> => touch(token, expiresAt);
      const token = generateToken();
      await store.commit(token, bytes(5), Date.now() + 60_000);
      expect([true, undefined]).toContain(await said(token, Date.now() + 120_000));
      expect([false, undefined]).toContain(await said(generateToken(), Date.now() + 60_000));
      const expiring = generateToken();
      const expiresAt = Date.now() + 20;
      await store.commit(expiring, bytes(6), expiresAt);
      await sleepUntil(expiresAt + slack(context) + 10);
      expect([false, undefined]).toContain(await said(expiring, Date.now() + 60_000));
      expect([false, undefined]).toContain(await said(token, Date.now() - 1000));
      expect([false, undefined]).toContain(await said(token, Date.now() + 60_000));
    },
  },
  {
    name: 'never brings an expired entry back',
    async run(store, context) {
      const touch = required(store, 'touch', context);
      const token = generateToken();
      const expiresAt = Date.now() + 20;
      await store.commit(token, bytes(2, 7), expiresAt);
      await sleepUntil(expiresAt + slack(context) + 10);
      await touch(token, Date.now() + 60_000);
      expect(await store.find(token)).toBeUndefined();
    },
  },
]);
