// The `sessionkit/lmdb` entry: LmdbStore, the embedded LMDB session store with its in-process LRU tier.
export { LmdbStore } from './lmdb-store.js';
export type { LmdbStoreOptions } from './lmdb-options.js';
