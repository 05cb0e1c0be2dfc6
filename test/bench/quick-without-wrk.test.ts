// `npm run bench -- --quick` on a machine without wrk: no HTTP ratio is measured or met, and the run leaves
// the work tree, Redis, PostgreSQL and MySQL as it found them (it runs the database stores on purpose).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, POSTGRES, REDIS, requireMariaDb, requirePostgres, requireRedis } from '../stores/support/shared-servers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = randomBytes(4).toString('hex');
const prefix = `sessionkit-bench-${run}:`;
const table = `sessionkit_bench_${run}`;

/** A PATH holding only the helpers the bench may use besides wrk (node itself is run by its path). */
function pathWithoutWrk(dir: string): string {
  for (const tool of ['taskset', 'getconf']) {
    const found = (process.env.PATH ?? '').split(delimiter).find((p) => existsSync(join(p, tool)));
    if (found !== undefined) symlinkSync(join(found, tool), join(dir, tool));
  }
  return dir;
}

const gitStatus = (): string => spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' }).stdout;

async function leftovers(): Promise<{ keys: string[]; pgTables: string[]; mysqlTables: string[] }> {
  const redis = new Redis(REDIS);
  const keys = await redis.keys(`${prefix}*`);
  redis.disconnect();
  const client = new pg.Client(POSTGRES);
  await client.connect();
  const pgTables = (await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE tablename = $1', [table])).rows.map((r) => r.tablename);
  await client.end();
  const connection = await mysql.createConnection(MARIADB);
  const [rows] = await connection.query('SELECT table_name AS name FROM information_schema.tables WHERE table_name = ?', [table]);
  await connection.end();
  return { keys, pgTables, mysqlTables: (rows as { name: string }[]).map((r) => r.name) };
}

describe('npm run bench -- --quick without wrk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-bench-test-'));
  const results = join(dir, 'results');
  let before = '';
  let output = '';
  let code: number | null = null;

  beforeAll(async () => {
    await Promise.all([requireRedis(), requirePostgres(), requireMariaDb()]);
    const path = pathWithoutWrk(mkdtempSync(join(dir, 'bin-')));
    expect(spawnSync('wrk', ['--version'], { env: { PATH: path } }).error, 'wrk is hidden').toBeDefined();
    before = gitStatus();
    const args = ['--import', 'tsx', 'bench/main.ts', '--quick', '--stores', 'memory,lmdb,redis,postgres,mysql', '--results-dir', results];
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, PATH: path, SESSIONKIT_BENCH_RUN: run },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    code = await new Promise((resolve) => child.on('close', resolve));
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says that HTTP ratios are not measured and how to install wrk', () => {
    expect(code, output.slice(-2000)).toBe(0);
    expect(output).toContain('wrk is not installed, so HTTP throughput and ratios are NOT measured');
    expect(output).toContain('apt-get install -y wrk');
    expect(output).not.toMatch(/req\/s/);
  });

  it('meets no HTTP goal: each reads "not measured"', () => {
    const saved = JSON.parse(readFileSync(join(results, 'latest.json'), 'utf8')) as {
      http: { unmeasured?: string; figures: unknown[] };
      targets: { name: string; measured: string; met?: boolean }[];
    };
    expect(saved.http.unmeasured).toBeDefined();
    expect(saved.http.figures).toEqual([]);
    const http = saved.targets.filter((t) => !/allocation|merge-on-commit/.test(t.name));
    expect(http.length).toBeGreaterThan(5);
    for (const target of http) {
      expect(target.met, target.name).toBeUndefined();
      expect(target.measured, target.name).toBe('not measured (no wrk)');
    }
  });

  it('ran the database stores, then left no key and no table of its own behind', async () => {
    const saved = JSON.parse(readFileSync(join(results, 'latest.json'), 'utf8')) as { cycle: { subjects: { subject: string; time?: unknown[] }[] } };
    for (const store of ['redis', 'postgres', 'mysql']) {
      expect(saved.cycle.subjects.find((s) => s.subject === store)?.time, `${store} ran`).toBeDefined();
    }
    expect(await leftovers()).toEqual({ keys: [], pgTables: [], mysqlTables: [] });
  });

  it('leaves the work tree as it was, and writes results by default to a folder git ignores', () => {
    expect(gitStatus()).toBe(before);
    expect(spawnSync('git', ['check-ignore', '-q', 'bench/results/local/latest.json'], { cwd: root }).status).toBe(0);
  });
});
