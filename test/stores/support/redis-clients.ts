// The ioredis majors RedisStore supports: every Redis store test file runs once per client library.
import { createRequire } from 'node:module';
import * as ioredis5 from 'ioredis';
import * as ioredis6 from 'ioredis6';

export interface RedisClientLibrary {
  /** `ioredis 5.11.1`, how a test title names the client. */
  name: string;
  major: number;
  Redis: typeof ioredis5.Redis;
  Cluster: typeof ioredis5.Cluster;
}

const require = createRequire(import.meta.url);

function library(packageName: string, Redis: unknown, Cluster: unknown): RedisClientLibrary {
  const { version } = require(`${packageName}/package.json`) as { version: string };
  // A user installs one major, which the store's declarations then name; here both are installed
  // side by side, so 6's classes are typed as 5's (they differ only in options the tests do not use).
  return {
    name: `ioredis ${version}`,
    major: Number(version.split('.')[0]),
    Redis: Redis as typeof ioredis5.Redis,
    Cluster: Cluster as typeof ioredis5.Cluster,
  };
}

export const redisClients: RedisClientLibrary[] = [library('ioredis', ioredis5.Redis, ioredis5.Cluster), library('ioredis6', ioredis6.Redis, ioredis6.Cluster)];
