// The activity log behind /activity: each user's recent sign-ins and sign-outs, fed by sessionkit's lifecycle events.
import { type DestroyedEvent, type ExpiredEvent, onSessionEvent, type SessionEvent } from '../../src/index.js';

/** What happened to one of a user's sessions. */
export type ActivityKind = 'signed-in' | 'signed-out' | 'signed-out-elsewhere' | 'signed-out-limit' | 'expired';

export interface ActivityEntry {
  kind: ActivityKind;
  /** The session's handle (never its token). */
  handle: string;
  /** ms since epoch. */
  at: number;
}

/** Entries kept per user, newest first. */
const PER_USER = 20;
/** Users kept; past it the one with the oldest latest entry is forgotten, so memory stays bounded. */
const MAX_USERS = 10_000;
/** Device names kept (by session handle); past it the oldest noted is forgotten. */
const MAX_DEVICES = 50_000;

const DESTROYED: Record<DestroyedEvent['reason'], ActivityKind> = { app: 'signed-out', user: 'signed-out-elsewhere', limit: 'signed-out-limit' };

/**
 * Recent activity per user, in memory. Diagnostics channels are process-wide: run one demo app
 * per process (as server.ts does), or every app's log sees every app's users.
 */
export class ActivityLog {
  readonly #users = new Map<string, ActivityEntry[]>();
  /** The User-Agent of each session handle seen live, so that an ended session can still be named. */
  readonly #devices = new Map<string, string>();
  readonly #stops: (() => void)[];

  constructor() {
    this.#stops = [
      onSessionEvent('login', (event) => this.#add(event, 'signed-in')),
      onSessionEvent('destroyed', (event) => this.#add(event, DESTROYED[event.reason])),
      onSessionEvent('expired', (event: ExpiredEvent) => this.#add(event, 'expired')),
    ];
  }

  /** The user's entries, newest first. */
  of(userId: string): readonly ActivityEntry[] {
    return this.#users.get(userId) ?? [];
  }

  /** Remembers the device of a live session (events carry no session values). */
  noteDevice(handle: string, device: string): void {
    if (this.#devices.get(handle) === device) return;
    this.#devices.delete(handle);
    if (this.#devices.size >= MAX_DEVICES) this.#devices.delete(this.#devices.keys().next().value!);
    this.#devices.set(handle, device);
  }

  deviceOf(handle: string): string | undefined {
    return this.#devices.get(handle);
  }

  /** Stops listening. */
  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  #add({ userId, handle }: SessionEvent, kind: ActivityKind): void {
    if (userId === undefined || handle === undefined) return;
    let entries = this.#users.get(userId);
    if (entries === undefined) {
      if (this.#users.size >= MAX_USERS) this.#users.delete(this.#users.keys().next().value!);
      entries = [];
    } else this.#users.delete(userId); // re-inserted below: the Map's order is by latest activity
    this.#users.set(userId, entries);
    entries.unshift({ kind, handle, at: Date.now() });
    if (entries.length > PER_USER) entries.length = PER_USER;
  }
}
