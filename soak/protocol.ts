// What the soak runner and its server child share: store names, the store timeout, IPC messages, error labels.

/** The stores the soak knows, in the order it runs them. */
export const STORE_KINDS = ['memory', 'lmdb', 'redis', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** The networked stores' `timeout` (ms) in the soak: short, so a hung store turns into 500s quickly. */
export const STORE_TIMEOUT = 1000;

/** Messages the server child sends to the runner. */
export type ServerMessage =
  | { type: 'listening'; port: number; rss: number; anon: number; memory: MemoryBound }
  | { type: 'rss'; rss: number; anon: number }
  | {
      type: 'closed';
      /** Resources active after closing that were not active at start (`process.getActiveResourcesInfo()`). */
      handles: string[];
      /** Errors passed to onError, by label. */
      errors: Record<string, number>;
      closeError: string | undefined;
      /** ms from the stop request until the store was closed and released. */
      closeMs: number;
      rss: number;
    };

/** What bounds the server's memory by configuration: the bytes its store and the manager's decode cache may hold. */
export interface MemoryBound {
  /** MemoryStore's maxBytes, LmdbStore's cacheMaxBytes; 0 for stores that hold sessions elsewhere. */
  storeBytes: number;
  /** The manager's decodeCacheBytes (0 when the store has no stable bytes, so no decode cache). */
  decodeCacheBytes: number;
  /** True when the manager has no decodeCacheBytes yet and the soak assumed {@link ASSUMED_DECODE_CACHE_BYTES}. */
  decodeCacheAssumed: boolean;
}

/** The decode cache bound assumed for a manager that does not report one (`decodeCacheBytes`). */
export const ASSUMED_DECODE_CACHE_BYTES = 64 * 1024 * 1024;

const TOKEN_LIKE = /[A-Za-z0-9_-]{32,}/g;

/**
 * A short, token-free label for an error: its message, plus its cause's code (or a clipped message
 * with anything token-shaped blanked out). Used to count errors by kind.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 80);
  const cause = error.cause as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  if (cause === undefined || cause === null) return error.message;
  const detail = typeof cause.code === 'string' ? cause.code : firstSentence(String(cause.message ?? cause.name ?? ''));
  return `${error.message} (${detail.replace(TOKEN_LIKE, '…')})`;
}

function firstSentence(text: string): string {
  const end = text.indexOf('. ');
  return (end < 0 ? text : text.slice(0, end)).slice(0, 100);
}

/** Largest body the hostile phase's PUT /blob takes; its clients send 256 KiB. */
export const MAX_BLOB_BYTES = 512 * 1024;
/** ms a storm's requests wait for the rest of the storm before committing anyway. */
export const STORM_WAIT = 5000;
/** The maxSessionsPerUser caps the hostile phase logs in against: one manager (and route) per cap. */
export const LOGIN_CAPS = [1, 3] as const;
