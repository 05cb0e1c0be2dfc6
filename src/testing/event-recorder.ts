// Records every payload sessionkit publishes on its diagnostics channels, and finds secrets in them.
import { subscribe, type TracingChannelSubscribers, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { channels } from '../events.js';

/** One published payload: the channel key (`created`, `load.start`, ...) and the payload as published. */
export interface RecordedEvent {
  channel: string;
  payload: Record<string, unknown>;
}

const LIFECYCLE = ['created', 'renewed', 'login', 'destroyed', 'expired', 'evicted', 'merged', 'refused', 'storeError'] as const;
const TRACES = ['load', 'commit'] as const;
const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/**
 * Subscribes to every sessionkit channel, tracing channels included, until `stop()`. Tracing
 * payloads are recorded as a copy at each phase (the context object changes as it goes).
 */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  readonly #stops: (() => void)[] = [];

  constructor() {
    for (const key of LIFECYCLE) {
      const name = channels[key];
      const listener = (message: unknown): void => {
        this.events.push({ channel: key, payload: message as Record<string, unknown> });
      };
      subscribe(name, listener);
      this.#stops.push(() => unsubscribe(name, listener));
    }
    for (const key of TRACES) {
      const trace = tracingChannel(channels[key]);
      const subscribers = {} as TracingChannelSubscribers<object>;
      for (const phase of PHASES) {
        subscribers[phase] = (message: unknown) => {
          this.events.push({ channel: `${key}.${phase}`, payload: { ...(message as Record<string, unknown>) } });
        };
      }
      trace.subscribe(subscribers);
      this.#stops.push(() => trace.unsubscribe(subscribers));
    }
  }

  /** The payloads of one channel (`'created'`, `'load.end'`, ...), optionally only those naming `handle`. */
  of(channel: string, handle?: string): Record<string, unknown>[] {
    return this.events.filter((event) => event.channel === channel && (handle === undefined || event.payload.handle === handle)).map((event) => event.payload);
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}

/**
 * The paths in `value` (objects, arrays, Maps, Sets, errors with message, stack and cause) at
 * which one of `secrets` appears inside a string or as a Session-like object; [] when none.
 */
export function findSecrets(value: unknown, secrets: readonly string[], path = '$', seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return secrets.some((secret) => secret !== '' && value.includes(secret)) ? [path] : [];
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  if (value instanceof Uint8Array) return findSecrets(Buffer.from(value).toString('latin1'), secrets, path, seen);
  const found: string[] = [];
  if (value instanceof Error) {
    found.push(...findSecrets(value.message, secrets, `${path}.message`, seen));
    found.push(...findSecrets(value.stack, secrets, `${path}.stack`, seen));
    found.push(...findSecrets(value.cause, secrets, `${path}.cause`, seen));
  }
  if (value instanceof Map) {
    for (const [key, inner] of value)
      found.push(...findSecrets(key, secrets, `${path}<key>`, seen), ...findSecrets(inner, secrets, `${path}[${String(key)}]`, seen));
    return found;
  }
  if (value instanceof Set) {
    for (const inner of value) found.push(...findSecrets(inner, secrets, `${path}<item>`, seen));
    return found;
  }
  if (typeof (value as { get?: unknown }).get === 'function' && typeof (value as { put?: unknown }).put === 'function') found.push(`${path} (a Session)`);
  for (const key of Object.keys(value)) found.push(...findSecrets((value as Record<string, unknown>)[key], secrets, `${path}.${key}`, seen));
  return found;
}
