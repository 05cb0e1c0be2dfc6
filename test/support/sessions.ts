// Helpers of the merge and group-commit tests: commit a session with some values, and read back what the store holds.
import { SessionManager } from '../../src/index.js';

/** A committed session holding `values`; resolves its token. */
export async function stored(manager: SessionManager, values: Record<string, unknown> = { base: 1 }): Promise<string> {
  const session = await manager.load();
  for (const [key, value] of Object.entries(values)) session.put(key, value);
  return (await manager.commit(session)).token;
}

/** The values stored under `token`, without sessionkit's identity keys (read through a fresh manager: no cache). */
export async function storedValues(manager: SessionManager, token: string): Promise<Record<string, unknown>> {
  const fresh = new SessionManager({ store: manager.store, codec: manager.codec });
  const session = await fresh.load(token);
  return Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
}
