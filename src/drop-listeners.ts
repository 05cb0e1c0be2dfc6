// The listeners of a store's `onDrop`: who hears that the store no longer holds a bytes object it handed out.
import type { DropListener, DropReason } from './store.js';

/**
 * A store's `onDrop` listeners. `notify` is meant to be guarded by `active`, so that a store
 * nobody listens to pays one property read per drop; with listeners, it allocates nothing.
 */
export class DropListeners {
  /** Replaced, never changed, on add and remove: a notify in progress keeps the array it started with. */
  #listeners: readonly DropListener[] = [];

  /** True while someone listens. */
  get active(): boolean {
    return this.#listeners.length !== 0;
  }

  /** Registers `listener`; returns the function that unregisters it (once, whatever else was registered). */
  add(listener: DropListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('sessionkit: onDrop: the listener must be a function');
    // A wrapper per registration, so the same function registered twice is unregistered once per call.
    const registered: DropListener = (key, data, reason) => listener(key, data, reason);
    this.#listeners = [...this.#listeners, registered];
    return () => {
      this.#listeners = this.#listeners.filter((each) => each !== registered);
    };
  }

  /** Calls each listener registered when the call starts with `key`, `data` and `reason`. */
  notify(key: string, data: Uint8Array, reason: DropReason): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(key, data, reason);
  }
}
