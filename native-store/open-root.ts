// Opens the LMDB environment at the path a user gave LmdbStore: a directory, whatever its name.
import { statSync } from 'node:fs';
import { open } from 'lmdb';
import type { RootDatabase, RootDatabaseOptions } from 'lmdb';
import { SessionkitError, sanitizeError } from '../src/store-kit.js';

/**
 * Opens (creating if missing) the environment at `path` with the user's lmdb-js options. lmdb-js
 * takes a path whose last part has an extension (`app.sessions`) for a single data file and would
 * fail on such a directory; here `path` is a directory, as LmdbStore documents, unless it is an
 * existing file (an environment opened as a single file before) or `lmdb.noSubdir` says otherwise.
 */
export function openRoot(path: string, lmdb: RootDatabaseOptions, component: string): RootDatabase {
  const noSubdir = lmdb.noSubdir ?? isFile(path);
  try {
    // overlappingSync off unless the user asks: with it on, a process SIGKILLed while it held
    // lmdb-js's flush lock makes the next process to flush reset the environment's current
    // transaction to an older one, so a commit another process had already resolved can vanish.
    return open({ overlappingSync: false, ...lmdb, path, noSubdir, maxDbs: Math.max(lmdb.maxDbs ?? 12, 4) });
  } catch (cause) {
    throw new SessionkitError(component, `cannot open ${path}`, sanitizeError(cause));
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // missing: lmdb-js creates the directory
  }
}
