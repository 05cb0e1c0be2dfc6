// LmdbStore's path is a directory whatever its name (lmdb-js alone reads `app.sessions` as a file name).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { generateToken } from '../../src/token.js';

const root = mkdtempSync(join(tmpdir(), 'sessionkit-lmdb-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Opens a store at `path`, writes a session, reads it back from a second store on the same path, closes both. */
async function roundTrip(path: string, lmdb?: { noSubdir: boolean }): Promise<void> {
  const token = generateToken();
  const writer = new LmdbStore({ path, sweepInterval: 0, lmdb });
  await writer.commit(token, Uint8Array.of(7, 8), Date.now() + 60_000);
  await writer.close();
  const reader = new LmdbStore({ path, sweepInterval: 0 });
  expect(reader.find(token)).toEqual(Uint8Array.of(7, 8));
  await reader.close();
}

describe('LmdbStore path', () => {
  it('opens an existing directory whose name has a dot, and keeps the environment inside it', async () => {
    const path = join(root, 'app.sessions');
    mkdirSync(path);
    await roundTrip(path);
    expect(existsSync(join(path, 'data.mdb'))).toBe(true);
    expect(existsSync(`${path}-lock`)).toBe(false);
  });

  it('creates a missing directory, parents included, whatever its name', async () => {
    const path = join(root, 'deep', 'sessions.db');
    await roundTrip(path);
    expect(statSync(path).isDirectory()).toBe(true);
    expect(existsSync(join(path, 'data.mdb'))).toBe(true);
  });

  it('keeps a single-file environment with lmdb.noSubdir, and reopens an existing one as a file', async () => {
    const path = join(root, 'single.mdb');
    await roundTrip(path, { noSubdir: true });
    expect(statSync(path).isFile()).toBe(true);
  });
});
