// Client-side caching on one Redis server: a data connection with CLIENT TRACKING redirected to an invalidation connection of ours.
import type { Redis } from 'ioredis';

/** The channel Redis publishes invalidations on for RESP2 clients (REDIRECT). */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** What a server's tracking reports to the store's near cache. */
export interface TrackingListener {
  /** Redis reported `key` changed. */
  invalidated(key: string): void;
  /** Redis dropped its whole tracking table (FLUSHALL, or a null invalidation message). */
  flushed(): void;
  /** The server's tracking went up or down. */
  stateChanged(): void;
}

const noop = () => {};

/**
 * ms between PINGs on the invalidation connection while tracking is up; a PING unanswered for as
 * long takes tracking down and reconnects. A socket that stays open while its messages are lost
 * (a one-way partition, a hung proxy) would otherwise let stale entries be served indefinitely.
 */
export const HEARTBEAT_MS = 1000;

/**
 * Tracking on one server. `data` is the connection the tracked reads go on; `invalidation` is a
 * connection of ours that runs `CLIENT ID` and subscribes to {@link INVALIDATE_CHANNEL}; `data`
 * then runs `CLIENT TRACKING ON REDIRECT <id> NOLOOP`. Tracking belongs to a connection, so any close or
 * (re)connect of either one takes it down, and it is set up again once both are ready: ioredis
 * reconnects silently, and a reconnected socket is untracked until we say otherwise.
 */
export class TrackedServer {
  readonly #data: Redis;
  readonly #invalidation: Redis;
  readonly #listener: TrackingListener;
  /** Moves on every event that may change tracking, so a setup started before it is abandoned. */
  #setups = 0;
  /** The invalidation connection's CLIENT ID once it is subscribed, for its current socket (a new socket has a new id). */
  #redirectId: Promise<number> | undefined;
  #up = false;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;
  #heartbeatPending = false;

  constructor(data: Redis, invalidation: Redis, listener: TrackingListener) {
    this.#data = data;
    this.#invalidation = invalidation;
    this.#listener = listener;
    invalidation.on('messageBuffer', this.#onMessage);
    invalidation.on('error', noop); // a lost connection is handled by 'close'; ioredis would otherwise print it
    for (const connection of [data, invalidation]) {
      connection.on('close', this.#onLost);
      connection.on('ready', this.#onReady);
    }
    invalidation.on('close', this.#onInvalidationLost);
    this.#heartbeat = setInterval(this.#beat, HEARTBEAT_MS).unref();
    this.#onReady();
  }

  /** True while the data connection's reads are tracked and their invalidations reach us. */
  get up(): boolean {
    return this.#up;
  }

  /** Stops listening; closes the invalidation connection (the data connection's owner closes it). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#setups++;
    this.#setUp(false);
    this.#invalidation.off('messageBuffer', this.#onMessage);
    for (const connection of [this.#data, this.#invalidation]) {
      connection.off('close', this.#onLost);
      connection.off('ready', this.#onReady);
    }
    this.#invalidation.off('close', this.#onInvalidationLost);
    this.#invalidation.disconnect();
  }

  readonly #onMessage = (channel: Buffer, message: unknown) => {
    if (channel.toString() !== INVALIDATE_CHANNEL) return;
    if (!Array.isArray(message)) return this.#listener.flushed();
    for (const key of message) this.#listener.invalidated(String(key));
  };

  /** Sends a PING; if the previous one is still unanswered, the connection is presumed lost. */
  readonly #beat = () => {
    if (!this.#up) return;
    if (this.#heartbeatPending) {
      this.#heartbeatPending = false;
      this.#onLost();
      this.#invalidation.disconnect(true); // reconnects; 'ready' sets tracking up again
      return;
    }
    this.#heartbeatPending = true;
    this.#invalidation.ping().then(() => {
      this.#heartbeatPending = false;
    }, noop);
  };

  readonly #onInvalidationLost = () => {
    this.#heartbeatPending = false;
    this.#redirectId = undefined;
  };

  readonly #onLost = () => {
    this.#setups++;
    this.#setUp(false);
  };

  readonly #onReady = () => {
    this.#setups++;
    this.#setUp(false);
    if (this.#closed) return;
    if (this.#data.status === 'wait') this.#data.connect().catch(noop); // a Cluster's node connects on first use
    if (this.#data.status !== 'ready' || this.#invalidation.status !== 'ready') return;
    const setup = this.#setups;
    this.#track(setup).then(
      () => {
        if (setup === this.#setups) this.#setUp(true);
      },
      noop, // tracking stays down; the next close or ready tries again
    );
  };

  async #track(setup: number): Promise<void> {
    const pending = (this.#redirectId ??= this.#subscribe());
    const id = await pending.catch((error: unknown) => {
      if (this.#redirectId === pending) this.#redirectId = undefined;
      throw error;
    });
    if (setup !== this.#setups) return;
    // OFF first: ON with another REDIRECT is refused while tracking is on. NOLOOP: the store's
    // writes on this connection drop the key from the cache themselves (and may refile it), so
    // Redis need not report them back.
    const replies = await this.#data.pipeline().client('TRACKING', 'OFF').client('TRACKING', 'ON', 'REDIRECT', String(id), 'NOLOOP').exec();
    const failed = replies?.find(([error]) => error !== null);
    if (replies === null || failed !== undefined) throw failed?.[0] ?? new Error('pipeline was discarded');
  }

  /** CLIENT ID, then SUBSCRIBE (after which the connection takes no other command). */
  async #subscribe(): Promise<number> {
    const id = Number(await this.#invalidation.client('ID'));
    await this.#invalidation.subscribe(INVALIDATE_CHANNEL);
    return id;
  }

  #setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    this.#listener.stateChanged();
  }
}
