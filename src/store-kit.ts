// The `sessionkit/store-kit` entry: what a store needs from the core. sessionkit's own stores import the core only through it.
export {
  MAX_OWNER_LENGTH,
  assertOwner,
  canCommitIf,
  canFindByOwner,
  canIterate,
  isWholeBuffer,
  type ConditionalStore,
  type DropListener,
  type DropReason,
  type IterableStore,
  type OwnedEntry,
  type OwnerIndexedStore,
  type Store,
} from './store.js';
export { SessionkitError, optionError } from './errors.js';
export { sanitizeError, storeError, timeoutError } from './store-error.js';
export { BackgroundTask } from './background-task.js';
export { DropListeners } from './drop-listeners.js';
export { Lru } from './weighted-lru.js';
export { LruList, type LruNode } from './lru-list.js';
export {
  MAX_TIMER_MS,
  booleanOption,
  choiceOption,
  durationOption,
  functionOption,
  intervalOption,
  stringOption,
  timeoutOption,
  wholeOption,
} from './validate.js';
export { lifecycle as storeEvents } from './events.js';
export { publishStoreEvicted, publishStoreExpired, reportOwnExpiry } from './events-publish.js';
