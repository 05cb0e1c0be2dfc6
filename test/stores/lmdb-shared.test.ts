import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { storeConformance } from '../../src/testing/index.js';
import { generateToken } from '../../src/token.js';
import { later } from '../support/time.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempPath = tempDirs('lmdb-shared');

const text = (value: string) => new TextEncoder().encode(value);
const HOUR = 3_600_000;
const storeModule = fileURLToPath(new URL('../../native-store/index.ts', import.meta.url));

/** Commits `value` under `token` from another process, blocking this one (no event-loop turn passes). */
function commitFromAnotherProcess(path: string, token: string, value: string, shared: boolean | 'auto' = true): void {
  const script = `
    import { LmdbStore } from ${JSON.stringify(storeModule)};
    const store = new LmdbStore({ path: ${JSON.stringify(path)}, sweepInterval: 0, shared: ${JSON.stringify(shared)} });
    await store.commit(${JSON.stringify(token)}, new TextEncoder().encode(${JSON.stringify(value)}), Date.now() + ${HOUR});
    await store.close();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`writer failed: ${child.stderr}`);
}

const nextTask = () => Promise.resolve();
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

// Each store on a path of its own: `shared: false` declares it the only writer.
storeConformance('LmdbStore with shared: false', () => new LmdbStore({ path: tempPath(), shared: false }));
storeConformance('LmdbStore with shared: false, without the LRU tier', () => new LmdbStore({ path: tempPath(), shared: false, cache: 0 }));

describe('LmdbStore shared option', () => {
  it("rejects a shared option other than true, false or 'auto', naming it", () => {
    expect(() => new LmdbStore({ path: tempPath(), shared: 'no' as unknown as boolean })).toThrow(TypeError);
    expect(() => new LmdbStore({ path: tempPath(), shared: 0 as unknown as boolean })).toThrow(/shared/);
  });

  for (const cache of [10_000, 0]) {
    it.each([
      ['true (the default)', undefined],
      ["'auto'", 'auto'],
    ] as const)(`shared: %s sees another process's commit in the next task (cache ${cache})`, { timeout: 60_000 }, async (_name, shared) => {
      const path = tempPath();
      const store = new LmdbStore({ path, sweepInterval: 0, cache, shared });
      const token = generateToken();
      await store.commit(token, text('mine'), later(HOUR));
      await nextTurn();
      expect(store.find(token)).toEqual(text('mine'));
      commitFromAnotherProcess(path, token, 'theirs', shared ?? true); // every store on the path in the same mode
      await nextTask();
      expect(store.find(token)).toEqual(text('theirs'));
      await store.close();
    });

    it.runIf(cache === 0)(
      `shared: false reuses the snapshot within an event-loop turn and sees another process's commit after it (cache ${cache})`,
      {
        timeout: 60_000,
      },
      async () => {
        const path = tempPath();
        const store = new LmdbStore({ path, sweepInterval: 0, cache, shared: false });
        const token = generateToken();
        await store.commit(token, text('mine'), later(HOUR));
        await nextTurn();
        expect(store.find(token)).toEqual(text('mine'));
        commitFromAnotherProcess(path, token, 'theirs');
        await nextTask();
        expect(store.find(token)).toEqual(text('mine')); // the snapshot of this turn: no renewal per task
        await nextTurn();
        expect(store.find(token)).toEqual(text('theirs'));
        await store.close();
      },
    );

    it(`shared: false reads its own commits, touches and deletes as soon as they resolve (cache ${cache})`, async () => {
      const store = new LmdbStore({ path: tempPath(), sweepInterval: 0, cache, shared: false });
      const token = generateToken();
      for (let round = 0; round < 20; round++) {
        expect(store.find(token)).toBeUndefined();
        await store.commit(token, text(`v${round}`), later(HOUR));
        expect(store.find(token)).toEqual(text(`v${round}`));
        expect(await store.commitIf(token, text(`v${round}`), text(`w${round}`), later(HOUR))).toBe(true);
        expect(store.find(token)).toEqual(text(`w${round}`));
        expect(await store.touch(token, Date.now() - 1)).toBe(false);
        expect(store.find(token)).toBeUndefined();
        await store.commit(token, text(`x${round}`), later(HOUR));
        expect(store.find(token)).toEqual(text(`x${round}`));
        await store.delete(token); // revocation sticks at once
        expect(store.find(token)).toBeUndefined();
      }
      await store.close();
    });
  }

  describe('shared: false with the LRU tier', () => {
    const single = (path = tempPath()) => new LmdbStore({ path, sweepInterval: 0, shared: false });

    it('serves a cached session without reading the record', { timeout: 60_000 }, async () => {
      const path = tempPath();
      const store = single(path);
      const token = generateToken();
      await store.commit(token, text('mine'), later(HOUR));
      const found = store.find(token);
      expect(found).toEqual(text('mine'));
      commitFromAnotherProcess(path, token, 'theirs');
      await nextTurn();
      expect(store.find(token)).toBe(found); // this process declared itself the only writer
      await store.close();
    });

    it('never keeps a record cached by a find that ran while a commit, commitIf or delete was in flight', async () => {
      const store = single();
      const token = generateToken();
      await store.commit(token, text('v0'), later(HOUR));
      const committing = store.commit(token, text('v1'), later(HOUR));
      expect(store.find(token)).toEqual(text('v0')); // the committed record, cached again
      await committing;
      expect(store.find(token)).toEqual(text('v1'));

      const conditional = store.commitIf(token, text('v1'), text('v2'), later(HOUR));
      expect(store.find(token)).toEqual(text('v1'));
      expect(await conditional).toBe(true);
      expect(store.find(token)).toEqual(text('v2'));

      const deleting = store.delete(token);
      expect(store.find(token)).toEqual(text('v2'));
      await deleting;
      expect(store.find(token)).toBeUndefined();
      await store.close();
    });

    it('serves a cached session until its expiry, as this store last set or touched it', async () => {
      const store = single();
      const token = generateToken();
      const passed = () => new Promise((resolve) => setTimeout(resolve, 200));
      await store.commit(token, text('short'), Date.now() + 150);
      expect(store.find(token)).toEqual(text('short'));
      await passed();
      expect(store.find(token)).toBeUndefined();

      await store.commit(token, text('shortened'), later(HOUR));
      expect(store.find(token)).toEqual(text('shortened'));
      expect(await store.touch(token, Date.now() + 150)).toBe(true);
      await passed();
      expect(store.find(token)).toBeUndefined();

      await store.commit(token, text('lengthened'), Date.now() + 150);
      const found = store.find(token);
      expect(await store.touch(token, later(HOUR))).toBe(true);
      await passed();
      expect(store.find(token)).toBe(found);
      await store.close();
    });
  });
});
