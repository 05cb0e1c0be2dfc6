// Test support: asserts that a store operation fails fast, naming the store and keeping the driver error as cause.
import { expect } from 'vitest';
import { SessionkitError } from '../../../src/errors.js';
import { sleep } from '../../support/time.js';

/**
 * Awaits `operation`, which must reject within `within` ms with a SessionkitError whose message
 * matches `message` and whose `cause` is the driver's Error. Resolves to that error.
 */
export async function expectFastFailure(operation: () => unknown, message: RegExp, within = 3000): Promise<SessionkitError> {
  const started = Date.now();
  let caught: unknown;
  try {
    await operation();
  } catch (error) {
    caught = error;
  }
  const elapsed = Date.now() - started;
  expect(caught, 'the operation should have rejected').toBeInstanceOf(SessionkitError);
  const error = caught as SessionkitError;
  expect(error.message).toMatch(message);
  expect(error.cause).toBeInstanceOf(Error);
  expect(elapsed, `rejected after ${elapsed} ms`).toBeLessThan(within);
  return error;
}

/** Retries `operation` until it succeeds (a restarted server and a reconnecting client), for at most `timeout` ms. */
export async function eventually<T>(operation: () => Promise<T>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}
