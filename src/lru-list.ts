// An intrusive doubly linked list in use order: O(1) use, insert and remove, no allocation per use.

/** The links an entry carries so that an {@link LruList} can hold it without a wrapper object. */
export interface LruNode<T> {
  /** The next more recently used entry; undefined for the newest or a node in no list. */
  newer: T | undefined;
  /** The next less recently used entry; undefined for the oldest or a node in no list. */
  older: T | undefined;
}

/**
 * Entries in use order, newest first. The list links the entries themselves, so marking a use is a
 * few pointer writes: no Map delete and re-insert (which in V8 leaves deleted slots that slow later
 * lookups) and no allocation. A node belongs to at most one list at a time.
 */
export class LruList<T extends LruNode<T>> {
  #newest: T | undefined;
  #oldest: T | undefined;

  /** The least recently used entry, the next to evict. */
  get oldest(): T | undefined {
    return this.#oldest;
  }

  /** Adds a node that is in no list as the most recently used. */
  insert(node: T): void {
    const newest = this.#newest;
    node.older = newest;
    node.newer = undefined;
    if (newest === undefined) this.#oldest = node;
    else newest.newer = node;
    this.#newest = node;
  }

  /** Marks a node of this list as the most recently used. */
  use(node: T): void {
    if (node === this.#newest) return;
    this.remove(node);
    this.insert(node);
  }

  /** Takes a node out of this list. */
  remove(node: T): void {
    const { newer, older } = node;
    if (newer === undefined) this.#newest = older;
    else newer.older = older;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
