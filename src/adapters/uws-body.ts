// Holds a uWS request body the handler has not asked for yet: at most 64 KiB plus one network read, then the socket is paused.
import type { HttpResponse } from 'uWebSockets.js';

/** Most unread request body held before reading from the socket stops. */
export const UNREAD_BODY_LIMIT = 64 * 1024;

/** Most bytes uWS reads from a socket at once (its receive buffer): a read in progress when reading stops is still delivered. */
export const UWS_READ_BYTES = 512 * 1024;

type DataHandler = (chunk: ArrayBuffer, isLast: boolean) => void;

/**
 * Registered as the raw response's onData when the session loads asynchronously (the handler
 * cannot register its own before the route callback returns). Chunks are copied until the
 * handler asks for them; past `UNREAD_BODY_LIMIT` the socket is paused until it does. One
 * network read may arrive whole, so a read in progress can add one more chunk. Once the
 * response ends unread, everything held and everything that still arrives is dropped.
 */
export class BodyBuffer {
  readonly #raw: HttpResponse;
  #chunks: [ArrayBuffer, boolean][] = [];
  #bytes = 0;
  #paused = false;
  #handler: DataHandler | undefined = undefined;
  #discarding = false;

  constructor(raw: HttpResponse) {
    this.#raw = raw;
    raw.onData((chunk, isLast) => this.#receive(chunk, isLast));
  }

  /** The handler asks for the body: it gets what is held, then the rest as it arrives. */
  deliver(handler: DataHandler): void {
    this.#handler = handler;
    if (this.#discarding) return;
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#bytes = 0;
    for (const [chunk, isLast] of chunks) handler(chunk, isLast);
    this.#resume();
  }

  /**
   * The response is about to end (the raw response is still usable): a body nobody asked for is
   * dropped, and reading resumes so that the rest is drained rather than kept or left unread.
   */
  stop(): void {
    if (this.#handler !== undefined) return;
    this.#drop();
    this.#resume();
  }

  /** The client went away: drop what is held; the raw response can no longer be touched. */
  abort(): void {
    this.#drop();
    this.#paused = false;
  }

  #receive(chunk: ArrayBuffer, isLast: boolean): void {
    const handler = this.#handler;
    if (handler !== undefined) {
      handler(chunk, isLast);
      return;
    }
    if (this.#discarding) return;
    this.#chunks.push([chunk.slice(0), isLast]);
    this.#bytes += chunk.byteLength;
    if (this.#bytes > UNREAD_BODY_LIMIT && !isLast) {
      this.#paused = true;
      this.#raw.pause();
    }
  }

  #drop(): void {
    this.#discarding = true;
    this.#chunks = [];
    this.#bytes = 0;
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#raw.resume();
  }
}
