// sessionkit/postgres: PostgresStore, sessions in a PostgreSQL table with the SCS schema, through the user's pg Pool.
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { BackgroundTask, functionOption, intervalOption, optionError, type OwnedEntry, type Store, storeError, timeoutOption } from '../store-kit.js';
import { asBuffer, asBytes } from './bytes.js';
import { Deadline } from './deadline.js';
import { checkOwner } from './owner.js';
import { ownerDdl, ownerStatements } from './postgres-owners.js';
import { keysetPages, parseTableName, warnCleanupError, type SqlStoreOptions, type TableName } from './sql-options.js';

/** Options of the store: a `pg` Pool the user built and owns, and the SQL store options. */
export type PostgresStoreOptions = SqlStoreOptions<Pool>;

const COMPONENT = 'postgres store';
const PAGE = 100;
/** A timestamptz from the ms since epoch passed as a parameter: the client's clock decides expiry, to the ms. */
const at = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

function quoted({ schema, name }: TableName): string {
  return schema === undefined ? `"${name}"` : `"${schema}"."${name}"`;
}

/** A named (prepared once per connection) statement; the name is derived from the text, so stores on one table share it. */
function statement(text: string): { name: string; text: string } {
  return { name: `sessionkit_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

function fail(operation: string, cause: unknown) {
  return storeError(COMPONENT, operation, cause);
}

function releaseLate(client: PoolClient): void {
  client.release();
}

/**
 * Sessions in PostgreSQL: every commit is one upsert, durable once PostgreSQL has committed it
 * (as durable as the server's `synchronous_commit` makes it), shared by every process that uses
 * the table, and readable by SCS. Each operation is one round trip over a pooled connection, so
 * it costs a network hop and a transaction: expect thousands, not millions, of operations a
 * second. Expired rows are never returned and are deleted on an unref'd timer.
 *
 * Schema (see {@link PostgresStore.schemaSql}; {@link PostgresStore.createTable} runs it):
 * `token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL` and an index on `expiry`.
 *
 * @example
 * // connectionTimeoutMillis lets the pool give up a connection attempt the server never answers
 * const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 5000 });
 * pool.on('error', (err) => console.error(err)); // idle clients that lose the server must not crash the app
 * const store = new PostgresStore({ pool });
 * await store.createTable();
 */
export class PostgresStore implements Store {
  /** The quoted table name used in every statement. */
  readonly table: string;
  private readonly pool: Pool;
  private readonly sql: ReturnType<typeof buildStatements>;
  private readonly owned: ReturnType<typeof ownerStatements>;
  private readonly ddl: string;
  /** The longest one operation may take, in ms (the `timeout` option). */
  readonly timeout: number;
  private readonly cleaner: BackgroundTask<number>;

  constructor(options: PostgresStoreOptions) {
    const { pool, table = 'sessions' } = options ?? ({} as PostgresStoreOptions);
    if (pool === null || typeof pool !== 'object' || typeof pool.connect !== 'function' || typeof pool.totalCount !== 'number') {
      throw optionError('pool', 'must be a pg Pool (not a Client)', pool);
    }
    const onCleanupError = functionOption('onCleanupError', options.onCleanupError, warnCleanupError);
    const name = parseTableName(table);
    const interval = intervalOption('cleanupInterval', options.cleanupInterval, 300_000);
    this.timeout = timeoutOption('timeout', options.timeout, 5000);
    this.pool = pool;
    this.table = quoted(name);
    this.sql = buildStatements(this.table);
    this.owned = ownerStatements(this.table);
    this.ddl = PostgresStore.schemaSql(table);
    this.cleaner = new BackgroundTask(interval, () => this.deleteExpired(), onCleanupError);
  }

  /**
   * The DDL for a session table (default `sessions`), SCS's schema plus a nullable `user_id`
   * column and its index (the owner index behind users' sessions; SCS never names the column):
   * run it yourself, or call {@link PostgresStore.createTable}. Idempotent, and on a table made
   * by SCS it adds just the column and the index.
   */
  static schemaSql(table = 'sessions'): string {
    const name = parseTableName(table);
    const t = quoted(name);
    return (
      `CREATE TABLE IF NOT EXISTS ${t} (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL, user_id TEXT);\n` +
      `CREATE INDEX IF NOT EXISTS "${name.name}_expiry_idx" ON ${t} (expiry);\n` +
      ownerDdl(t, name.name)
    );
  }

  /** Creates the table and its indexes when they do not exist; adds the `user_id` column and its index to an existing table. */
  async createTable(): Promise<void> {
    await this.run('createTable', { text: this.ddl });
  }

  async find(token: string): Promise<Uint8Array | undefined> {
    const result = await this.run<{ data: Buffer }>('find', { ...this.sql.find, values: [token, Date.now()] });
    const row = result.rows[0];
    return row === undefined ? undefined : asBytes(row.data);
  }

  /** Upserts `token`; with `owner`, also sets its `user_id` (see {@link PostgresStore.findByOwner}). */
  async commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): Promise<void> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    if (!(expiresAt > Date.now())) return this.delete(token);
    if (owner !== undefined) {
      await this.run('commit', { ...this.owned.commitOwned, values: [token, asBuffer(data), expiresAt, owner] });
      return;
    }
    await this.run('commit', { ...this.sql.commit, values: [token, asBuffer(data), expiresAt] });
  }

  /**
   * Writes only if the live row holds `expected` (one `UPDATE ... WHERE token AND data AND expiry`),
   * or, with `expected` undefined, if there is no live row (`INSERT ... ON CONFLICT DO UPDATE ...
   * WHERE expired`). One statement either way, so concurrent writers cannot interleave. Without
   * an `owner`, `user_id` is left as it was.
   */
  async commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): Promise<boolean> {
    if (owner !== undefined) checkOwner(owner, COMPONENT);
    const now = Date.now();
    let query: { name: string; text: string; values: unknown[] };
    if (!(expiresAt > now)) {
      query = expected === undefined ? { ...this.owned.live, values: [token, now] } : { ...this.owned.deleteIf, values: [token, asBuffer(expected), now] };
      const { rowCount } = await this.run('commitIf', query);
      return expected === undefined ? rowCount === 0 : rowCount === 1;
    }
    if (expected === undefined) {
      query =
        owner === undefined
          ? { ...this.owned.insert, values: [token, asBuffer(data), expiresAt, now] }
          : { ...this.owned.insertOwned, values: [token, asBuffer(data), expiresAt, owner, now] };
    } else {
      const values = [token, asBuffer(expected), asBuffer(data), expiresAt, now];
      query = owner === undefined ? { ...this.owned.replace, values } : { ...this.owned.replaceOwned, values: [...values, owner] };
    }
    return (await this.run('commitIf', query)).rowCount === 1;
  }

  /** The live rows whose `user_id` is `owner`: one indexed SELECT. */
  async findByOwner(owner: string): Promise<OwnedEntry[]> {
    checkOwner(owner, COMPONENT);
    const { rows } = await this.run<{ token: string; data: Buffer; expires_at: number }>('findByOwner', {
      ...this.owned.byOwner,
      values: [owner, Date.now()],
    });
    return rows.map((row) => ({ key: row.token, data: asBytes(row.data), expiresAt: row.expires_at }));
  }

  async delete(token: string): Promise<void> {
    await this.run('delete', { ...this.sql.delete, values: [token] });
  }

  async touch(token: string, expiresAt: number): Promise<boolean> {
    if (!(expiresAt > Date.now())) {
      await this.delete(token);
      return false;
    }
    const result = await this.run('touch', { ...this.sql.touch, values: [token, expiresAt, Date.now()] });
    return (result.rowCount ?? 0) > 0;
  }

  /** Live sessions, read in pages of 100 ordered by token (keyset pagination: no long-lived cursor). */
  all(): AsyncIterable<[token: string, data: Uint8Array]> {
    return keysetPages(PAGE, async (after) => {
      const { rows } = await this.run<{ token: string; data: Buffer }>('all', { ...this.sql.page, values: [after, Date.now(), PAGE] });
      return rows.map((row) => ({ token: row.token, data: asBytes(row.data) }));
    });
  }

  /** Deletes expired rows now (or joins the cleanup in flight); resolves to how many. The cleanup timer calls this. */
  cleanup(): Promise<number> {
    return this.cleaner.run();
  }

  /** Stops the cleanup timer and waits for a cleanup in flight. The pool stays open: it is the caller's. */
  async close(): Promise<void> {
    await this.cleaner.stop();
  }

  private async deleteExpired(): Promise<number> {
    const result = await this.run('cleanup', { ...this.sql.cleanup, values: [Date.now()] });
    return result.rowCount ?? 0;
  }

  /**
   * One query on a pooled connection, settled within the timeout. A connection that arrives after
   * the time is up goes back to the pool unused; one whose query got no answer in time is destroyed.
   */
  private async run<R extends QueryResultRow>(operation: string, query: { name?: string; text: string; values?: unknown[] }): Promise<QueryResult<R>> {
    const deadline = new Deadline(this.timeout);
    let client: PoolClient | undefined;
    try {
      client = await deadline.race(this.pool.connect(), releaseLate);
      // pg emits a connection error on the client when no query is active; as pool.query() does, never leave it unheard
      client.on('error', ignoreClientError);
      const result = await deadline.race(client.query<R>(query));
      client.off('error', ignoreClientError);
      client.release();
      return result;
    } catch (error) {
      if (client !== undefined) {
        client.off('error', ignoreClientError);
        client.release(error instanceof Error ? error : true); // an error (or a hung query) destroys the connection
      }
      throw fail(operation, error);
    } finally {
      deadline.clear();
    }
  }
}

function ignoreClientError(): void {}

function buildStatements(t: string) {
  return {
    find: statement(`SELECT data FROM ${t} WHERE token = $1 AND expiry > ${at('$2')}`),
    commit: statement(
      `INSERT INTO ${t} (token, data, expiry) VALUES ($1, $2, ${at('$3')}) ` +
        `ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`,
    ),
    delete: statement(`DELETE FROM ${t} WHERE token = $1`),
    touch: statement(`UPDATE ${t} SET expiry = ${at('$2')} WHERE token = $1 AND expiry > ${at('$3')}`),
    page: statement(`SELECT token, data FROM ${t} WHERE token > $1 AND expiry > ${at('$2')} ORDER BY token LIMIT $3`),
    cleanup: statement(`DELETE FROM ${t} WHERE expiry <= ${at('$1')}`),
  };
}
