// The `sessionkit` entry: re-exports only.
export { SessionManager, SaveAction, type CommitResult } from './manager.js';
export { Session, REMEMBER_ME_KEY, type SessionStatus, type SessionData, type SessionKey } from './session.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { msgpackCodec, jsonCodec, type Codec, type SessionRecord } from './codec.js';
export type { Store, OwnedEntry, DropListener, DropReason } from './store.js';
export type { ListedSession, ListSessionsOptions, DestroySessionsOptions } from './users.js';
export type { SessionOptions } from './options.js';
export type { CookieOptions } from './cookie.js';
export { SessionkitError } from './errors.js';
export { isToken, generateToken } from './token.js';
export {
  channels,
  onSessionEvent,
  type SessionEvent,
  type SessionEvents,
  type DestroyedEvent,
  type ExpiredEvent,
  type MergedEvent,
  type RefusedEvent,
  type StoreErrorEvent,
  type LoadContext,
  type CommitContext,
} from './events.js';
