// Acceptance: 8 processes sharing a store (LMDB path, Redis, PostgreSQL, MySQL) x 25 concurrent commits of one session keep all 200 changes; concurrent logins across processes leave exactly maxSessionsPerUser sessions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { SessionManager } from '../../src/index.js';
import type { Store } from '../../src/store.js';
import { MySqlStore } from '../../src/stores/mysql.js';
import { PostgresStore } from '../../src/stores/postgres.js';
import { RedisStore } from '../../src/stores/redis.js';
import { runWorkers, type WorkerSpec } from '../stores/fixtures/contention-process.js';
import { randomSuffix } from '../stores/support/processes.js';
import { MARIADB, POSTGRES, REDIS, requireMariaDb, requirePostgres, requireRedis } from '../stores/support/shared-servers.js';

const PROCESSES = 8;
const PER_PROCESS = 25;
/** Commits spread over a few ms, as requests arrive: smaller groups, more conflicts across processes. */
const SPREAD_MS = 30;
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
}, 60_000);

/** A fresh store of that kind in this process, and where the workers find it. */
async function shared(kind: WorkerSpec['store']): Promise<{ store: Store; where: string }> {
  switch (kind) {
    case 'lmdb': {
      const where = mkdtempSync(join(tmpdir(), 'sessionkit-contention-'));
      const store = new LmdbStore({ path: where, sweepInterval: 0 });
      closers.push(
        () => rmSync(where, { recursive: true, force: true }),
        () => store.close(),
      );
      return { store, where };
    }
    case 'redis': {
      await requireRedis();
      const where = `sessionkit-test:${randomSuffix()}:`;
      const client = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
      closers.push(async () => {
        const keys = await client.keys(`${where}*`);
        if (keys.length > 0) await client.unlink(...keys);
        await client.quit();
      });
      return { store: new RedisStore({ client, prefix: where }), where };
    }
    case 'postgres': {
      await requirePostgres();
      const where = `contention_${randomSuffix()}`;
      const pool = new pg.Pool({ ...POSTGRES, max: 4 });
      pool.on('error', () => {});
      closers.push(async () => {
        await pool.query(`DROP TABLE IF EXISTS "${where}"`);
        await pool.end();
      });
      const store = new PostgresStore({ pool, table: where, cleanupInterval: 0 });
      await store.createTable();
      return { store, where };
    }
    case 'mysql': {
      await requireMariaDb();
      const where = `contention_${randomSuffix()}`;
      const pool = mysql.createPool({ ...MARIADB, connectionLimit: 4 });
      closers.push(async () => {
        await pool.query(`DROP TABLE IF EXISTS \`${where}\``);
        await pool.end();
      });
      const store = new MySqlStore({ pool, table: where, cleanupInterval: 0 });
      await store.createTable();
      return { store, where };
    }
  }
}

describe.each(['lmdb', 'redis', 'postgres', 'mysql'] as const)('%s shared by 8 processes', (kind) => {
  it('8 processes x 25 concurrent commits of one session: none rejected, all 200 changes kept', async () => {
    const { store, where } = await shared(kind);
    const manager = new SessionManager({ store });
    const first = await manager.load();
    first.put('first', true);
    const { token } = await manager.commit(first);
    const summaries = await runWorkers(
      Array.from({ length: PROCESSES }, (_, worker) => ({
        store: kind,
        where,
        job: 'commits' as const,
        worker,
        count: PER_PROCESS,
        token,
        spreadMs: SPREAD_MS,
      })),
    );
    expect(summaries.flatMap((summary) => summary.errors)).toEqual([]);
    expect(summaries.reduce((sum, summary) => sum + summary.rejected, 0)).toBe(0);
    const after = await manager.load(token);
    const missing: string[] = [];
    for (let worker = 0; worker < PROCESSES; worker++) {
      for (let i = 0; i < PER_PROCESS; i++) if (after.get(`${worker}:${i}`) !== i) missing.push(`${worker}:${i}`);
    }
    expect(missing).toEqual([]);
    expect(after.get('first')).toBe(true);
  }, 60_000);
});

describe.each(['lmdb', 'redis', 'postgres', 'mysql'] as const)('%s: logins from several processes', (kind) => {
  it.each([
    [1, 2, 5],
    [3, 3, 10],
  ])(
    'cap %i: %i processes x %i concurrent logins of one user leave exactly that many sessions',
    async (cap, processes, perProcess) => {
      const { store, where } = await shared(kind);
      const manager = new SessionManager({ store });
      const userId = `ada-${randomSuffix()}`;
      const summaries = await runWorkers(
        Array.from({ length: processes }, (_, worker) => ({ store: kind, where, job: 'logins' as const, worker, count: perProcess, userId, cap })),
      );
      expect(summaries.flatMap((summary) => summary.errors)).toEqual([]);
      const listed = (await manager.listSessions(userId)).map((entry) => entry.handle);
      expect(listed).toHaveLength(cap);
      // Each survivor's login kept its token (none was sent a cookie for a session its own clean-up destroyed).
      const keptHandles = summaries.flatMap((summary) => summary.handles);
      for (const handle of listed) expect(keptHandles).toContain(handle);
    },
    60_000,
  );
});
