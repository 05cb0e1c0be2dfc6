// The listeners of a store's `onDrop`: who hears that the store no longer holds a bytes object it handed out.
import type { DropListener, DropReason } from './store.js';

/**
 * A store's `onDrop` listeners. `notify` is meant to be guarded by `active`, so that a store
 * nobody listens to pays one property read per drop.
 */
export class DropListeners {
  readonly #listeners = new Set<DropListener>();

  /** True while someone listens. */
  get active(): boolean {
    return this.#listeners.size !== 0;
  }

  /** Registers `listener`; returns the function that unregisters it. */
  add(listener: DropListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('sessionkit: onDrop: the listener must be a function');
    // A wrapper per registration, so the same function registered twice is unregistered once per call.
    const registered: DropListener = (key, data, reason) => listener(key, data, reason);
    this.#listeners.add(registered);
    return () => {
      this.#listeners.delete(registered);
    };
  }

  notify(key: string, data: Uint8Array, reason: DropReason): void {
    for (const listener of this.#listeners) listener(key, data, reason);
  }
}
