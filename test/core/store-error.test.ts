import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SessionkitError } from '../../src/errors.js';
import { sanitizeError, storeError } from '../../src/store-error.js';
import { generateToken } from '../../src/token.js';

describe('storeError', () => {
  it('names the store and the operation, and keeps how the driver failed', () => {
    const driver = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 6379,
    });
    const error = storeError('redis store', 'GET', driver);
    expect(error).toBeInstanceOf(SessionkitError);
    expect(error.message).toBe('sessionkit: redis store: GET failed');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toBe(driver);
    expect(error.cause).toMatchObject({ message: driver.message, code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 6379 });
    expect((error.cause as Error).stack).toContain('store-error.test.ts'); // the driver's frames stay
  });

  it('leaves behind what the driver was sent: command arguments, SQL, parameters, detail', () => {
    const token = generateToken();
    const data = Buffer.from('{"user":"alice@example.com"}');
    const reply = Object.assign(new Error('OOM command not allowed'), {
      name: 'ReplyError',
      command: { name: 'set', args: [`scs:session:${token}`, data, 'PXAT', 1] },
    });
    const pgError = Object.assign(new Error('new row for relation "sessions" violates check constraint "c"'), {
      code: '23514',
      detail: `Failing row contains (${token}, \\x${data.toString('hex')}).`,
      parameters: [token, data],
    });
    const mysqlError = Object.assign(new Error("Duplicate entry '\\x81\\xA4user\\xA5alice' for key 'data'"), {
      code: 'ER_DUP_ENTRY',
      sql: `INSERT ... '${token}'`,
    });
    const wrapped = Object.assign(new Error(`failed for ${token}`, { cause: reply }), { errors: [pgError] });
    for (const driver of [reply, pgError, mysqlError, wrapped]) {
      const shown = inspect(storeError('some store', 'commit', driver), { depth: 10 });
      expect(shown).not.toContain(token);
      expect(shown).not.toContain('alice');
      expect(shown).not.toContain(data.toString('hex'));
      expect(shown).not.toMatch(/<Buffer/);
    }
    expect(sanitizeError(mysqlError).message).toBe("Duplicate entry '[redacted]' for key 'data'");
    expect(sanitizeError(pgError).message).toBe(pgError.message); // names in quotes stay
    expect(sanitizeError(reply).name).toBe('ReplyError');
    expect((sanitizeError(wrapped).cause as Error).name).toBe('ReplyError');
  });

  it('redacts token-shaped runs but keeps ordinary words and option names', () => {
    const token = generateToken();
    const message = `Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option; key scs:session:${token}`;
    expect(sanitizeError(new Error(message)).message).toBe(
      'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option; key scs:session:[redacted]',
    );
    expect(sanitizeError(new Error(`hash ${'ab12'.repeat(16)}`)).message).toBe('hash [redacted]');
    expect(sanitizeError('plain string').message).toBe('plain string');
    expect(sanitizeError({ token }).message).toBe('non-error value thrown');
  });
});
