// The store conformance suite: one set of vitest tests that every Store must pass, exported for third-party stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { generateToken } from '../token.js';
import { capabilityConformance, type CapabilityOptions } from './capabilities.js';

export interface ConformanceOptions extends CapabilityOptions {
  /** Run the `all()` group; default: when the store has `all`. */
  all?: boolean;
  /** Run the `touch()` group; default: when the store has `touch`. */
  touch?: boolean;
  /** Size of the big-session test, bytes; default 1 MiB. */
  bigSession?: number;
  /** Extra ms after an expiry before the entry must be gone (clock skew with a server); default 5. */
  expirySlack?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function sleepUntil(time: number): Promise<void> {
  while (Date.now() < time) await sleep(Math.max(1, time - Date.now()));
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A plain Uint8Array copy, so a Buffer and a Uint8Array with the same bytes compare equal. */
function plain(data: Uint8Array | undefined): Uint8Array | undefined {
  return data === undefined ? undefined : Uint8Array.from(data);
}

function randomBytes(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(length, i + 65536)));
  return data;
}

async function collect(store: Store, tokens: Set<string>): Promise<Map<string, Uint8Array>> {
  const seen = new Map<string, Uint8Array>();
  for await (const [token, data] of store.all!()) if (tokens.has(token)) seen.set(token, Uint8Array.from(data));
  return seen;
}

/**
 * Registers the conformance tests for a store. `factory` is called once, before the tests; the
 * store is closed after them. Tokens are random, so parallel runs can share one database.
 *
 * @example
 * storeConformance('MemoryStore', () => new MemoryStore());
 */
export function storeConformance(name: string, factory: () => Store | Promise<Store>, options: ConformanceOptions = {}): void {
  const slack = options.expirySlack ?? 5;
  describe(`${name} conformance`, () => {
    let store: Store;
    const later = () => Date.now() + 60_000;

    beforeAll(async () => {
      store = await factory();
      await store.find(generateToken()); // warm the connection before anything is timed
    });

    afterAll(async () => {
      await store?.close?.();
    });

    it('finds nothing for an unknown token', async () => {
      expect(await store.find(generateToken())).toBeUndefined();
    });

    it('finds what was committed', async () => {
      const token = generateToken();
      await store.commit(token, bytes(1, 2, 3), later());
      expect(plain(await store.find(token))).toEqual(bytes(1, 2, 3));
    });

    it('overwrites on commit', async () => {
      const token = generateToken();
      await store.commit(token, bytes(1), later());
      await store.commit(token, bytes(2, 2), later());
      expect(plain(await store.find(token))).toEqual(bytes(2, 2));
    });

    it('deletes, and deleting a missing token is no error', async () => {
      const token = generateToken();
      await store.commit(token, bytes(9), later());
      await store.delete(token);
      expect(await store.find(token)).toBeUndefined();
      await expect(Promise.resolve(store.delete(token))).resolves.toBeUndefined();
      await expect(Promise.resolve(store.delete(generateToken()))).resolves.toBeUndefined();
    });

    it('keeps its own copy of committed data', async () => {
      const token = generateToken();
      const data = bytes(5, 6, 7);
      await store.commit(token, data, later());
      data.fill(0);
      expect(plain(await store.find(token))).toEqual(bytes(5, 6, 7));
    });

    it('honours expiry to the millisecond bound', async () => {
      const token = generateToken();
      const expiresAt = Date.now() + 1000;
      await store.commit(token, bytes(4), expiresAt);
      expect(plain(await store.find(token))).toEqual(bytes(4));
      await sleepUntil(expiresAt + slack);
      expect(await store.find(token)).toBeUndefined();
    });

    it('accepts an expiry already past and does not keep the entry', async () => {
      const token = generateToken();
      await store.commit(token, bytes(1), Date.now() - 1000);
      expect(await store.find(token)).toBeUndefined();
      const live = generateToken();
      await store.commit(live, bytes(2), later());
      await store.commit(live, bytes(3), Date.now() - 1);
      expect(await store.find(live)).toBeUndefined();
    });

    it('round-trips every byte value exactly', async () => {
      const token = generateToken();
      const data = new Uint8Array(4096 + 256);
      for (let i = 0; i < 256; i++) data[i] = i;
      data.set(randomBytes(4096), 256);
      await store.commit(token, data, later());
      const found = await store.find(token);
      expect(found).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(found!, data)).toBe(0);
    });

    it('stores a big session', async () => {
      const token = generateToken();
      const data = randomBytes(options.bigSession ?? 1024 * 1024);
      await store.commit(token, data, later());
      const found = await store.find(token);
      expect(found?.length).toBe(data.length);
      expect(Buffer.compare(found!, data)).toBe(0);
    });

    it('keeps concurrent commits to different tokens apart', async () => {
      const tokens = Array.from({ length: 50 }, () => generateToken());
      await Promise.all(tokens.map((token, i) => store.commit(token, bytes(i, i + 1, i + 2), later())));
      const found = await Promise.all(tokens.map((token) => store.find(token)));
      found.forEach((data, i) => expect(plain(data)).toEqual(bytes(i, i + 1, i + 2)));
    });

    describe.skipIf(!(options.all ?? true))('all()', () => {
      it('lists live sessions only, with their data', async () => {
        if (typeof store.all !== 'function') throw new Error(`${name} has no all(); pass { all: false } to skip this group`);
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
        const listed = [...(await collect(store, ours)).keys()].sort();
        // On a loaded machine the listing may end after the short entry expired: only then may it be missing.
        const shortMayBeGone = Date.now() >= shortExpiry;
        expect(listed).toEqual((shortMayBeGone && !listed.includes(short) ? live : [...live, short]).sort());
        await sleepUntil(shortExpiry + slack);
        const seen = await collect(store, ours);
        expect([...seen.keys()].sort()).toEqual([...live].sort());
        live.forEach((token, i) => expect(seen.get(token)).toEqual(bytes(i)));
      });
    });

    describe.skipIf(options.touch === false)('touch()', () => {
      it('moves the expiry without rewriting data, and ignores missing tokens', async () => {
        if (typeof store.touch !== 'function') throw new Error(`${name} has no touch(); pass { touch: false } to skip this group`);
        const token = generateToken();
        const first = Date.now() + 1000;
        await store.commit(token, bytes(3, 1, 4), first);
        await store.touch(token, Date.now() + 60_000);
        await sleepUntil(first + slack + 50);
        expect(plain(await store.find(token))).toEqual(bytes(3, 1, 4));
        await store.touch(token, Date.now() - 1000);
        expect(await store.find(token)).toBeUndefined();
        const missing = generateToken();
        await store.touch(missing, Date.now() + 60_000);
        expect(await store.find(missing)).toBeUndefined();
      });

      it('never brings an expired entry back', async () => {
        const token = generateToken();
        const expiresAt = Date.now() + 20;
        await store.commit(token, bytes(2, 7), expiresAt);
        await sleepUntil(expiresAt + slack + 10);
        await store.touch!(token, Date.now() + 60_000);
        expect(await store.find(token)).toBeUndefined();
      });
    });

    capabilityConformance(name, () => store, options);

    it('close() resolves and can be called twice', async () => {
      const other = await factory();
      await other.find(generateToken());
      await other.close?.();
      await other.close?.();
    });
  });
}
