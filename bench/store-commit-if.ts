// Store write cost: commit vs commitIf (and both with an owner) at 64 writes in flight, per networked store, in one run.
// Run: npx tsx bench/store-commit-if.ts [seconds per round, default 2]
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MySqlStore } from '../src/stores/mysql.js';
import { PostgresStore } from '../src/stores/postgres.js';
import { RedisStore } from '../src/stores/redis.js';
import { generateToken } from '../src/token.js';

const IN_FLIGHT = 64;
const ROUNDS = 3;
const seconds = Number(process.argv[2] ?? 2);
type Writer = (token: string, previous: Uint8Array, next: Uint8Array, expiresAt: number) => Promise<unknown>;
interface Subject {
  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void>;
  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean>;
}

const payloads = [new Uint8Array(200).fill(1), new Uint8Array(200).fill(2)]; // a typical small session, two versions

async function opsPerSecond(write: Writer, tokens: string[]): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    tokens.map(async (token) => {
      for (let i = 0; Date.now() < deadline; i++) {
        await write(token, payloads[(i + 1) % 2]!, payloads[i % 2]!, Date.now() + 600_000);
        done++;
      }
    }),
  );
  return done / seconds;
}

async function measure(name: string, store: Subject): Promise<void> {
  const variants: [string, Writer][] = [
    ['commit', (t, _p, n, e) => store.commit(t, n, e)],
    [
      'commitIf',
      async (t, p, n, e) => {
        if (!(await store.commitIf(t, p, n, e))) throw new Error('conflict');
      },
    ],
    ['commit+owner', (t, _p, n, e) => store.commit(t, n, e, 'bench-user')],
    [
      'commitIf+owner',
      async (t, p, n, e) => {
        if (!(await store.commitIf(t, p, n, e, 'bench-user'))) throw new Error('conflict');
      },
    ],
  ];
  const results = new Map<string, number[]>(variants.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, write] of variants) {
      // interleaved, so load from other processes hits every variant alike
      const tokens = Array.from({ length: IN_FLIGHT }, () => generateToken());
      await Promise.all(tokens.map((token) => store.commit(token, payloads[1]!, Date.now() + 600_000))); // the first write expects payloads[1]
      results.get(label)!.push(await opsPerSecond(write, tokens));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const base = median(results.get('commit')!);
  const line = [...results].map(([label, values]) => `${label} ${Math.round(median(values))}/s (${((median(values) / base - 1) * 100).toFixed(1)}%)`);
  console.log(`${name}: ${line.join(', ')}`);
}

const suffix = Math.random().toString(36).slice(2, 8);
const redis = new Redis({ host: '127.0.0.1', port: 6379 });
const pgPool = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 16 });
const myPool = mysql.createPool({ host: '127.0.0.1', user: 'root', password: '', database: 'test', connectionLimit: 16 });
const pgTable = `sessionkit_bench_${suffix}`;
try {
  await measure('RedisStore', new RedisStore({ client: redis, prefix: `sessionkit-bench:${suffix}:` }));
  const postgres = new PostgresStore({ pool: pgPool, table: pgTable, cleanupInterval: 0 });
  await postgres.createTable();
  await measure('PostgresStore', postgres);
  const my = new MySqlStore({ pool: myPool, table: pgTable, cleanupInterval: 0 });
  await my.createTable();
  await measure('MySqlStore', my);
} finally {
  const keys = await redis.keys(`sessionkit-bench:${suffix}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await pgPool.query(`DROP TABLE IF EXISTS "${pgTable}"`);
  await myPool.query(`DROP TABLE IF EXISTS \`${pgTable}\``);
  redis.disconnect();
  await pgPool.end();
  await myPool.end();
}
