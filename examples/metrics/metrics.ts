// Prometheus metrics for sessionkit with prom-client, fed by sessionkit's diagnostics channels: no wrapper around the store.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type CommitContext, channels, type LoadContext, type MemoryStore } from '../../src/index.js';

/** Latency buckets in seconds: from 50 µs (an in-process store) to 2.5 s (a store about to time out). */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Encoded session size buckets in bytes: 64 B to 1 MiB. */
const SIZE_BUCKETS = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 65536, 262144, 1048576];

/** The events counted, each as `sessionkit_sessions_<name>_total`, with the payload fields used as labels. */
const COUNTED = [
  { channel: channels.created, name: 'created', labels: [] },
  { channel: channels.renewed, name: 'renewed', labels: [] },
  { channel: channels.login, name: 'login', labels: [] },
  { channel: channels.destroyed, name: 'destroyed', labels: ['reason'] },
  { channel: channels.expired, name: 'expired', labels: ['source'] },
  { channel: channels.evicted, name: 'evicted', labels: [] },
  { channel: channels.merged, name: 'merged', labels: [] },
  { channel: channels.refused, name: 'refused', labels: ['reason'] },
] as const;

export interface SessionMetricsOptions {
  /** The registry the metrics are registered in (prom-client's `register`, or your own). */
  registry: Registry;
  /** MemoryStores whose size and bytes are reported as gauges (reading them costs two property reads). */
  memoryStores?: MemoryStore[];
}

/**
 * Registers sessionkit's metrics in `registry` and subscribes to its channels; returns the
 * function that unsubscribes (the metrics stay registered).
 */
export function sessionMetrics({ registry, memoryStores = [] }: SessionMetricsOptions): () => void {
  const stops: (() => void)[] = [];
  const listen = (name: string, listener: (message: unknown) => void): void => {
    subscribe(name, listener);
    stops.push(() => unsubscribe(name, listener));
  };

  for (const { channel, name, labels } of COUNTED) {
    const counter = new Counter({
      name: `sessionkit_sessions_${name}_total`,
      help: `Sessions ${name}, by store${labels.map((label) => ` and ${label}`).join('')}.`,
      labelNames: ['store', ...labels],
      registers: [registry],
    });
    listen(channel, (message) => {
      const payload = message as Record<string, string>;
      const values: Record<string, string> = { store: payload.store! };
      for (const label of labels) values[label] = payload[label]!;
      counter.inc(values);
    });
  }

  const storeErrors = new Counter({
    name: 'sessionkit_store_errors_total',
    help: 'Failed store operations, by store and operation.',
    labelNames: ['store', 'operation'],
    registers: [registry],
  });
  listen(channels.storeError, (message) => {
    const { store, operation } = message as { store: string; operation: string };
    storeErrors.inc({ store, operation });
  });

  const sizes = new Histogram({
    name: 'sessionkit_session_size_bytes',
    help: 'Encoded size of each session written, by store.',
    labelNames: ['store'],
    buckets: SIZE_BUCKETS,
    registers: [registry],
  });
  stops.push(
    timed(registry, channels.load, 'sessionkit_load_duration_seconds', 'Session loads, by store and outcome.'),
    timed(registry, channels.commit, 'sessionkit_commit_duration_seconds', 'Session commits, by store and outcome.', (context) => {
      const commit = context as CommitContext;
      if (commit.written) sizes.observe({ store: commit.store }, commit.bytes);
    }),
  );

  if (memoryStores.length > 0) {
    const stores = memoryStores;
    new Gauge({
      name: 'sessionkit_memory_store_sessions',
      help: 'Sessions held by the MemoryStore (expired ones not yet swept included).',
      registers: [registry],
      collect() {
        this.set(stores.reduce((sum, store) => sum + store.size, 0));
      },
    });
    new Gauge({
      name: 'sessionkit_memory_store_bytes',
      help: 'Bytes of session data held by the MemoryStore.',
      registers: [registry],
      collect() {
        this.set(stores.reduce((sum, store) => sum + store.bytes, 0));
      },
    });
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

/** A latency histogram over one tracing channel: a synchronous operation ends at `end`, an asynchronous one at `asyncEnd`. */
function timed(registry: Registry, name: string, metric: string, help: string, onDone?: (context: object) => void): () => void {
  const histogram = new Histogram({ name: metric, help, labelNames: ['store', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const started = new WeakMap<object, bigint>();
  const done = (context: LoadContext | CommitContext): void => {
    const start = started.get(context);
    if (start === undefined) return;
    started.delete(context);
    histogram.observe({ store: context.store, outcome: context.error === undefined ? 'ok' : 'error' }, Number(process.hrtime.bigint() - start) / 1e9);
    if (context.error === undefined) onDone?.(context);
  };
  const subscribers = {
    start: (context: object) => started.set(context, process.hrtime.bigint()),
    end: (context: object) => {
      if ((context as LoadContext).async !== true) done(context as LoadContext);
    },
    asyncStart: () => {},
    asyncEnd: (context: object) => done(context as LoadContext),
    error: () => {},
  };
  const trace = tracingChannel(name);
  trace.subscribe(subscribers);
  return () => trace.unsubscribe(subscribers);
}
