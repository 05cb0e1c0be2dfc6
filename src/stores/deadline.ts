// The time limit of one networked store operation: driver promises raced against a timer, late results released and never left unhandled.
import { timeoutError } from '../store-kit.js';

function ignore(): void {}

/**
 * Starts a `ms` timer (unref'd). {@link Deadline.race} settles with a driver promise or, once the
 * time is up, rejects with a `TimeoutError` cause; whatever the driver delivers after that goes
 * to the `late` callback (to release a pooled connection) or is dropped, never unhandled.
 * Call {@link Deadline.clear} when the operation is over.
 */
export class Deadline {
  readonly #expired: Promise<never>;
  readonly #timer: NodeJS.Timeout;
  #passed = false;

  constructor(ms: number) {
    let reject!: (error: Error) => void;
    this.#expired = new Promise<never>((_, rejectExpired) => {
      reject = rejectExpired;
    });
    this.#expired.catch(ignore);
    this.#timer = setTimeout(() => {
      this.#passed = true;
      reject(timeoutError(ms));
    }, ms);
    this.#timer.unref();
  }

  /** True once the time is up. */
  get passed(): boolean {
    return this.#passed;
  }

  /** `promise`'s outcome if it comes in time, else a TimeoutError; a value that comes later goes to `late`. */
  race<T>(promise: Promise<T>, late?: (value: T) => void): Promise<T> {
    promise.then((value) => {
      if (this.#passed) late?.(value);
    }, ignore);
    return Promise.race([promise, this.#expired]);
  }

  /** Stops the timer. */
  clear(): void {
    clearTimeout(this.#timer);
  }
}
