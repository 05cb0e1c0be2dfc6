// RedisStore's listing of its sessions: SCAN on every master, each batch's values fetched in one pipeline.
import type { Cluster, Redis } from 'ioredis';
import { storeError } from '../store-kit.js';
import { asBytes } from './bytes.js';

const SCAN_COUNT = 100;

/** What the listing needs from the store. */
export interface ScanContext {
  client: Redis | Cluster;
  prefix: string;
  /** Keys starting with this are the owner index's sets, not sessions. */
  ownerSets: string;
  /** Settles `pending` within the store's timeout; a failure becomes the store's error for `command`. */
  call<T>(command: string, pending: Promise<T>): Promise<T>;
  /** Turns a WRONGTYPE error into "not found" (and rethrows anything else). */
  notStringIsMissing(error: unknown): null;
}

/** True for Redis's answer to a string command on a key of another type. */
export function isWrongType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('WRONGTYPE');
}

/** Escapes the glob characters of SCAN's MATCH, so a prefix matches literally. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every live session under the prefix, each token once (SCAN may return a key twice while Redis resizes its table). */
export async function* scanSessions(context: ScanContext): AsyncIterable<[token: string, data: Uint8Array]> {
  const { client, prefix, ownerSets } = context;
  const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const pattern = `${globLiteral(prefix)}*`;
  for (const node of nodes) {
    const seen = new Set<string>();
    let cursor = '0';
    do {
      let keys: string[];
      [cursor, keys] = await context.call('SCAN', node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT));
      keys = keys.filter((key) => !seen.has(key) && seen.add(key) && !key.startsWith(ownerSets));
      if (keys.length === 0) continue;
      const values = await fetch(context, node, keys);
      for (let i = 0; i < keys.length; i++) {
        const value = values[i];
        if (value) yield [keys[i]!.slice(prefix.length), asBytes(value)];
      }
    } while (cursor !== '0');
  }
}

/** The values of `keys` from `node` in one pipeline; a key that moved away (cluster resharding) is read through the client. */
async function fetch(context: ScanContext, node: Redis, keys: string[]): Promise<(Buffer | null)[]> {
  const { client, call, notStringIsMissing } = context;
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.getBuffer(key);
  const results = await call('GET', pipeline.exec());
  if (results === null) throw storeError('redis store', 'GET', new Error('pipeline was discarded'));
  return Promise.all(
    results.map(async ([error, value], i) => {
      if (error === null) return value as Buffer | null;
      if (isWrongType(error)) return notStringIsMissing(error);
      if (!client.isCluster) throw storeError('redis store', 'GET', error);
      return call('GET', client.getBuffer(keys[i]!).catch(notStringIsMissing));
    }),
  );
}
