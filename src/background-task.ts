// A store's background job (expiry sweep, cleanup): an unref'd interval timer, one run at a time, stopped by close().

function ignore(): void {}

/**
 * Runs `task` every `interval` ms (0 = never) on an `unref()`ed timer, so it never keeps the
 * process alive. A run never overlaps the previous one: a tick that finds a run in flight is
 * skipped, and {@link BackgroundTask.run} called meanwhile shares that run. A failed timer run
 * goes to `onError`; a failed explicit run rejects its caller.
 *
 * @example
 * const cleanup = new BackgroundTask(60_000, () => store.cleanup(), console.warn);
 * await cleanup.stop(); // in close()
 */
export class BackgroundTask<T> {
  readonly #task: () => Promise<T>;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;
  #stopped = false;

  constructor(interval: number, task: () => Promise<T>, onError: (error: unknown) => void) {
    this.#task = task;
    this.#onError = onError;
    if (interval > 0) {
      this.#timer = setInterval(() => {
        if (this.#running === undefined) this.run().catch(this.#onError);
      }, interval);
      this.#timer.unref();
    }
  }

  /** True once {@link BackgroundTask.stop} was called: a task that loops checks it to end early. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Runs the task now, or returns the run in flight. */
  run(): Promise<T> {
    if (this.#running !== undefined) return this.#running;
    const running = Promise.resolve()
      .then(this.#task)
      .finally(() => {
        if (this.#running === running) this.#running = undefined;
      });
    this.#running = running;
    return running;
  }

  /** Stops the timer; resolves once a run in flight has settled, so no timer run happens after it resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.then(ignore, ignore);
  }
}
