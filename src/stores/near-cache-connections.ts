// The connections RedisStore's near cache makes: tracked data connection(s) and their invalidation connections, on a server or a Cluster.
import type { Cluster, Redis } from 'ioredis';
import type { NearCache } from './near-cache.js';
import { TrackedServer, type TrackingListener } from './near-cache-server.js';

const CONNECTION_NAME = 'sessionkit-near-cache';
const noop = () => {};

/** ioredis 6's option for the protocol (ioredis 5 speaks RESP2 only and ignores it). */
const RESP2 = { protocol: 2 } as Record<string, unknown>;

function reconnectDelay(times: number): number {
  return Math.min(times * 50, 2000);
}

/**
 * The near cache's own connections, duplicated from the user's client (whose tracking state
 * would otherwise be shared with the rest of the application). On a single server: one data
 * connection and one invalidation connection. On a Cluster: a duplicated Cluster that reads
 * from masters only, and per master an invalidation connection that the master's data
 * connection redirects to; a master that appears or goes away flushes the cache.
 */
export class NearCacheConnections {
  /** Where tracked reads go. */
  readonly reader: Redis | Cluster;
  readonly #cache: NearCache;
  readonly #prefix: string;
  readonly #servers = new Map<Redis, TrackedServer>();
  readonly #listener: TrackingListener;

  constructor(client: Redis | Cluster, prefix: string, cache: NearCache) {
    this.#cache = cache;
    this.#prefix = prefix;
    this.#listener = {
      invalidated: (key) => {
        if (key.startsWith(this.#prefix)) this.#cache.invalidate(key.slice(this.#prefix.length), true);
      },
      flushed: () => this.#cache.flush(),
      stateChanged: () => {
        this.#cache.trusted = this.#allUp();
      },
    };
    if (client.isCluster) {
      const cluster = (client as Cluster).duplicate([], { scaleReads: 'master', lazyConnect: false });
      cluster.on('error', noop);
      cluster.on('node error', noop);
      for (const event of ['+node', '-node', 'refresh', 'ready', 'close']) cluster.on(event, this.#syncMasters);
      this.reader = cluster;
    } else {
      const data = (client as Redis).duplicate({ lazyConnect: false, connectionName: CONNECTION_NAME });
      data.on('error', noop);
      this.reader = data;
      this.#servers.set(data, new TrackedServer(data, this.#invalidationConnection(data), this.#listener));
    }
  }

  /**
   * The value of `key` and its expiry (PEXPIRETIME: -1 for none, -2 when missing), read on the
   * tracked connection: two commands written together, one round trip (cheaper than a pipeline
   * object). A failed command rejects with its error.
   */
  async read(key: string): Promise<[value: Buffer | null, expireTime: number]> {
    const [value, expireTime] = await Promise.all([this.reader.getBuffer(key), this.reader.pexpiretime(key)]);
    return [value, Number(expireTime)];
  }

  /** Closes every connection made here. */
  async close(): Promise<void> {
    if (this.reader.isCluster) for (const event of ['+node', '-node', 'refresh', 'ready', 'close']) this.reader.off(event, this.#syncMasters);
    for (const server of this.#servers.values()) server.close();
    this.#servers.clear();
    this.#cache.trusted = false;
    await this.reader.quit().catch(() => this.reader.disconnect());
  }

  #invalidationConnection(data: Redis): Redis {
    const invalidation = data.duplicate({
      // Invalidations arrive as Pub/Sub messages on __redis__:invalidate only over RESP2; ioredis 6
      // speaks RESP3 by default, where they would be push messages that ioredis drops.
      ...RESP2,
      lazyConnect: false,
      autoResubscribe: false, // a new socket needs CLIENT ID before SUBSCRIBE; TrackedServer does both
      enableOfflineQueue: true,
      retryStrategy: reconnectDelay,
      connectionName: CONNECTION_NAME,
    });
    invalidation.on('error', noop);
    return invalidation;
  }

  #allUp(): boolean {
    if (this.#servers.size === 0) return false;
    if (this.reader.isCluster && this.reader.status !== 'ready') return false;
    for (const server of this.#servers.values()) if (!server.up) return false;
    return true;
  }

  /** Tracks every current master of the Cluster, and only those; any change flushes the cache. */
  readonly #syncMasters = () => {
    const cluster = this.reader as Cluster;
    const masters = new Set(cluster.status === 'ready' ? cluster.nodes('master') : []);
    let changed = false;
    for (const [node, server] of this.#servers) {
      if (masters.has(node) && node.status !== 'end') continue;
      server.close();
      this.#servers.delete(node);
      changed = true;
    }
    for (const node of masters) {
      if (this.#servers.has(node) || node.status === 'end') continue;
      this.#servers.set(node, new TrackedServer(node, this.#invalidationConnection(node), this.#listener));
      changed = true;
    }
    if (changed) this.#cache.flush();
    this.#cache.trusted = this.#allUp();
  };
}
