// Test support: conditional commits, revocation and the owner index, as every networked store must do them (real servers, random keys).
import { expect, it } from 'vitest';
import type { OwnedEntry } from '../../../src/store.js';
import { generateToken } from '../../../src/token.js';
import { later, sleep } from '../../support/time.js';

export interface OwnerStore {
  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void>;
  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean>;
  findByOwner(owner: string): Promise<OwnedEntry[]>;
  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  delete(token: string): Promise<void>;
  touch(token: string, expiresAt: number): Promise<void | boolean>;
}

const plain = (data: Uint8Array | undefined) => (data === undefined ? undefined : Uint8Array.from(data));
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parse = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as number[];
/** A user id no other test run uses. */
const someone = () => `user:${generateToken().slice(0, 12)}`;

function byKey(entries: OwnedEntry[]): Map<string, { data: Uint8Array; expiresAt: number }> {
  return new Map(entries.map((entry) => [entry.key, { data: Uint8Array.from(entry.data), expiresAt: entry.expiresAt }]));
}

/** Registers the tests of commitIf and findByOwner for a store made by `makeStore`. */
export function ownerStoreBehaviours(makeStore: () => OwnerStore): void {
  it('commitIf writes a new entry only when none is live', async () => {
    const store = makeStore();
    const token = generateToken();
    expect(await store.commitIf(token, undefined, Uint8Array.of(1), later())).toBe(true);
    expect(plain(await store.find(token))).toEqual(Uint8Array.of(1));
    expect(await store.commitIf(token, undefined, Uint8Array.of(2), later())).toBe(false);
    expect(plain(await store.find(token))).toEqual(Uint8Array.of(1));
  });

  it('commitIf writes over the live bytes only when they equal expected, byte for byte', async () => {
    const store = makeStore();
    const token = generateToken();
    const stored = Uint8Array.of(0, 255, 7, 0);
    await store.commit(token, stored, later());
    for (const wrong of [Uint8Array.of(0, 255, 7), Uint8Array.of(0, 255, 7, 0, 0), Uint8Array.of(0, 255, 8, 0), new Uint8Array(0)]) {
      expect(await store.commitIf(token, wrong, Uint8Array.of(9), later())).toBe(false);
    }
    expect(plain(await store.find(token))).toEqual(stored);
    expect(await store.commitIf(token, Uint8Array.from(stored), Uint8Array.of(3, 3), later())).toBe(true);
    expect(plain(await store.find(token))).toEqual(Uint8Array.of(3, 3));
  });

  it('commitIf of the same bytes with the same expiry still reports the write', async () => {
    const store = makeStore();
    const token = generateToken();
    const expiresAt = later();
    await store.commit(token, Uint8Array.of(5), expiresAt);
    expect(await store.commitIf(token, Uint8Array.of(5), Uint8Array.of(5), expiresAt)).toBe(true);
    expect(await store.commitIf(token, Uint8Array.of(5), Uint8Array.of(5), expiresAt)).toBe(true);
  });

  it('commitIf with expected bytes fails on a missing or expired entry, and writes nothing', async () => {
    const store = makeStore();
    const missing = generateToken();
    expect(await store.commitIf(missing, Uint8Array.of(1), Uint8Array.of(2), later())).toBe(false);
    expect(await store.find(missing)).toBeUndefined();
    const expired = generateToken();
    await store.commit(expired, Uint8Array.of(1), Date.now() + 40);
    await sleep(80);
    expect(await store.commitIf(expired, Uint8Array.of(1), Uint8Array.of(2), later())).toBe(false);
    expect(await store.find(expired)).toBeUndefined();
    expect(await store.commitIf(expired, undefined, Uint8Array.of(3), later())).toBe(true); // expired counts as absent
    expect(plain(await store.find(expired))).toEqual(Uint8Array.of(3));
  });

  it('commitIf with an owner over an expired entry of another owner records the new owner', async () => {
    const store = makeStore();
    const [bob, alice] = [someone(), someone()];
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), Date.now() + 40, bob);
    await sleep(80);
    expect(await store.commitIf(token, undefined, Uint8Array.of(2), later(), alice)).toBe(true);
    expect((await store.findByOwner(alice)).map((entry) => entry.key)).toEqual([token]);
    expect(await store.findByOwner(bob)).toEqual([]);
  });

  it('revocation sticks: after delete, a commitIf with the old bytes is refused and the token stays empty', async () => {
    const store = makeStore();
    const token = generateToken();
    const owner = someone();
    await store.commit(token, Uint8Array.of(1, 2), later(), owner);
    await store.delete(token);
    expect(await store.commitIf(token, Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3), later(), owner)).toBe(false);
    expect(await store.find(token)).toBeUndefined();
    expect(await store.findByOwner(owner)).toEqual([]);
  });

  it('commitIf with an expiry already past: checks the condition, then removes the entry', async () => {
    const store = makeStore();
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    expect(await store.commitIf(token, Uint8Array.of(2), Uint8Array.of(3), Date.now() - 1)).toBe(false);
    expect(plain(await store.find(token))).toEqual(Uint8Array.of(1));
    expect(await store.commitIf(token, undefined, Uint8Array.of(3), Date.now() - 1)).toBe(false);
    expect(await store.commitIf(token, Uint8Array.of(1), Uint8Array.of(3), Date.now() - 1)).toBe(true);
    expect(await store.find(token)).toBeUndefined();
    expect(await store.commitIf(generateToken(), undefined, Uint8Array.of(3), 0)).toBe(true);
  });

  it('loses nothing when 50 read-modify-commitIf loops add to one entry at once', async () => {
    const store = makeStore();
    const token = generateToken();
    await store.commit(token, json([]), later());
    let retries = 0;
    await Promise.all(
      Array.from({ length: 50 }, async (_, item) => {
        for (;;) {
          const current = (await store.find(token))!;
          const next = json([...parse(current), item]);
          if (await store.commitIf(token, current, next, later())) return;
          retries++;
        }
      }),
    );
    expect(parse((await store.find(token))!).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(retries).toBeGreaterThan(0); // the loops did race
  });

  it('findByOwner lists the live entries committed with that owner, with their data and expiry', async () => {
    const store = makeStore();
    const owner = someone();
    const other = someone();
    const [a, b, c, gone, short, theirs, nobodys] = Array.from({ length: 7 }, () => generateToken());
    const expiresAt = Date.now() + 90_000;
    await store.commit(a!, Uint8Array.of(1), expiresAt, owner);
    expect(await store.commitIf(b!, undefined, Uint8Array.of(2), expiresAt + 1, owner)).toBe(true);
    await store.commit(c!, Uint8Array.of(3), later());
    expect(await store.commitIf(c!, Uint8Array.of(3), Uint8Array.of(3, 3), expiresAt + 2, owner)).toBe(true);
    await store.commit(gone!, Uint8Array.of(4), later(), owner);
    await store.delete(gone!);
    await store.commit(short!, Uint8Array.of(5), Date.now() + 40, owner);
    await store.commit(theirs!, Uint8Array.of(6), later(), other);
    await store.commit(nobodys!, Uint8Array.of(7), later());
    await sleep(80);
    const found = byKey(await store.findByOwner(owner));
    expect([...found.keys()].sort()).toEqual([a!, b!, c!].sort());
    expect(found.get(a!)).toEqual({ data: Uint8Array.of(1), expiresAt });
    expect(found.get(b!)).toEqual({ data: Uint8Array.of(2), expiresAt: expiresAt + 1 });
    expect(found.get(c!)).toEqual({ data: Uint8Array.of(3, 3), expiresAt: expiresAt + 2 });
    expect([...byKey(await store.findByOwner(other)).keys()]).toEqual([theirs]);
    expect(await store.findByOwner(someone())).toEqual([]);
  });

  it('findByOwner keeps listing a touched entry, with its new expiry', async () => {
    const store = makeStore();
    const owner = someone();
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), Date.now() + 60_000, owner);
    const moved = Date.now() + 120_000;
    await store.touch(token, moved);
    expect(await store.findByOwner(owner)).toEqual([{ key: token, data: expect.anything(), expiresAt: moved }]);
  });

  it('treats owners as exact strings: case, colons and non-ASCII characters included', async () => {
    const store = makeStore();
    const base = someone();
    const owners = [base, base.toUpperCase(), `${base}:x`, `${base}é✓😀`];
    const tokens = owners.map(() => generateToken());
    await Promise.all(owners.map((owner, i) => store.commit(tokens[i]!, Uint8Array.of(i), later(), owner)));
    for (const [i, owner] of owners.entries()) expect((await store.findByOwner(owner)).map((entry) => entry.key)).toEqual([tokens[i]]);
  });

  it('rejects an empty owner or one over 255 characters with a TypeError that does not show it', async () => {
    const store = makeStore();
    const long = 'u'.repeat(256);
    await expect(Promise.resolve().then(() => store.findByOwner(''))).rejects.toThrow(TypeError);
    await expect(Promise.resolve().then(() => store.commit(generateToken(), Uint8Array.of(1), later(), long))).rejects.toThrow(
      /owner must be a non-empty string of at most 255 characters/,
    );
    await expect(Promise.resolve().then(() => store.commitIf(generateToken(), undefined, Uint8Array.of(1), later(), long))).rejects.toThrow(TypeError);
    const longest = 'ü'.repeat(255);
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later(), longest);
    expect((await store.findByOwner(longest)).map((entry) => entry.key)).toEqual([token]);
  });
}
