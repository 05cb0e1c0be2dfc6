// PostgresStore's SQL for conditional commits and the owner index: the user_id column, its DDL, and the statements that use it.
import { createHash } from 'node:crypto';

/** A timestamptz from ms since epoch passed as a parameter (the client's clock decides expiry, as in every statement of the store). */
const at = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

/** A named statement; the name is derived from the text, so stores on one table share it. */
function statement(text: string): { name: string; text: string } {
  return { name: `sessionkit_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/**
 * The DDL that adds the owner index to a session table made by SCS or an earlier sessionkit: a
 * nullable `user_id` column (SCS never names it, so it keeps working) and a partial index on it.
 * Idempotent; the ALTER runs only when the column is missing, so a table that has it is not locked
 * (and IF NOT EXISTS there lets two processes upgrading at once both succeed).
 */
export function ownerDdl(quotedTable: string, name: string): string {
  return (
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('${quotedTable}') ` +
    `AND attname = 'user_id' AND NOT attisdropped) THEN ALTER TABLE ${quotedTable} ADD COLUMN IF NOT EXISTS user_id TEXT; END IF; END $$;\n` +
    `CREATE INDEX IF NOT EXISTS "${`${name}_user_id_idx`.slice(0, 63)}" ON ${quotedTable} (user_id) WHERE user_id IS NOT NULL;`
  );
}

/**
 * The statements behind commitIf, commit with an owner and findByOwner. Those without an owner
 * never name `user_id`, so conditional commits work on an SCS table that has not been upgraded.
 */
export function ownerStatements(t: string) {
  const upsertOwned =
    `INSERT INTO ${t} (token, data, expiry, user_id) VALUES ($1, $2, ${at('$3')}, $4) ` +
    'ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id';
  const insertIfAbsent = (columns: string, values: string, owned: boolean) =>
    `INSERT INTO ${t} (${columns}) VALUES (${values}) ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry` +
    `${owned ? ', user_id = EXCLUDED.user_id' : ''} WHERE ${t}.expiry <= ${at(owned ? '$5' : '$4')}`;
  return {
    /** $1 token, $2 data, $3 expiresAt, $4 owner. */
    commitOwned: statement(upsertOwned),
    /** $1 token, $2 expected, $3 data, $4 expiresAt, $5 now. */
    replace: statement(`UPDATE ${t} SET data = $3, expiry = ${at('$4')} WHERE token = $1 AND data = $2 AND expiry > ${at('$5')}`),
    /** $1 token, $2 expected, $3 data, $4 expiresAt, $5 now, $6 owner. */
    replaceOwned: statement(`UPDATE ${t} SET data = $3, expiry = ${at('$4')}, user_id = $6 WHERE token = $1 AND data = $2 AND expiry > ${at('$5')}`),
    /** $1 token, $2 data, $3 expiresAt, $4 now. */
    insert: statement(insertIfAbsent('token, data, expiry', `$1, $2, ${at('$3')}`, false)),
    /** $1 token, $2 data, $3 expiresAt, $4 owner, $5 now. */
    insertOwned: statement(insertIfAbsent('token, data, expiry, user_id', `$1, $2, ${at('$3')}, $4`, true)),
    /** $1 token, $2 expected, $3 now: a conditional commit whose expiry is already past. */
    deleteIf: statement(`DELETE FROM ${t} WHERE token = $1 AND data = $2 AND expiry > ${at('$3')}`),
    /** $1 token, $2 now. */
    live: statement(`SELECT 1 FROM ${t} WHERE token = $1 AND expiry > ${at('$2')}`),
    /** $1 owner, $2 now. Uses the partial index on user_id. */
    byOwner: statement(
      `SELECT token, data, round(extract(epoch FROM expiry) * 1000)::float8 AS expires_at FROM ${t} WHERE user_id = $1 AND expiry > ${at('$2')}`,
    ),
  };
}
