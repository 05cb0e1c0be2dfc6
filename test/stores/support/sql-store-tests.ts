// Test support: behaviours and an outage scenario shared by the SQL stores' tests (PostgreSQL, MySQL).
import { expect, it } from 'vitest';
import { SessionkitError } from '../../../src/errors.js';
import type { Store } from '../../../src/store.js';
import { generateToken } from '../../../src/token.js';
import { eventually, expectFastFailure } from './failure.js';
import { later } from '../../support/time.js';

export interface SqlStoreHarness {
  /** A store on the test table with its cleanup timer off. */
  makeStore(): Store & { all(): AsyncIterable<[string, Uint8Array]>; touch(token: string, expiresAt: number): Promise<void | boolean> };
  /** Rows held for `token` in the test table. */
  rowCount(token: string): Promise<number>;
}

/** Registers the SQL-specific tests every SQL store passes on top of the conformance suite. */
export function sqlStoreBehaviours(harness: () => SqlStoreHarness): void {
  it('deletes the row instead of writing one whose expiry is past', async () => {
    const { makeStore, rowCount } = harness();
    const store = makeStore();
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later());
    await store.commit(token, Uint8Array.of(2), Date.now() - 1);
    expect(await rowCount(token)).toBe(0);
  });

  it('lists more than one page of sessions from all()', async () => {
    const store = harness().makeStore();
    const tokens = new Set(Array.from({ length: 250 }, () => generateToken()));
    await Promise.all([...tokens].map((token) => store.commit(token, Uint8Array.of(1), later())));
    let seen = 0;
    for await (const [token] of store.all()) if (tokens.has(token)) seen++;
    expect(seen).toBe(250);
  });
}

export interface Outage {
  /** e.g. `postgres store` */
  component: string;
  store: Store & { all(): AsyncIterable<[string, Uint8Array]>; touch(token: string, expiresAt: number): Promise<void | boolean> };
  /** A store on the same pool with a fast cleanup timer reporting to `onCleanupError`. */
  makeTimed(onCleanupError: (error: unknown) => void): { close(): Promise<void> | void };
  server: { stop(): Promise<void>; start(): Promise<void> };
}

/**
 * Stops the server: every operation and the cleanup timer must fail fast with a named error; starts
 * it again on the same port and data: the same store must work again and find what it had.
 */
export async function expectOutageAndRecovery({ component, store, makeTimed, server }: Outage): Promise<void> {
  const token = generateToken();
  await store.commit(token, Uint8Array.of(1, 2), later());
  const cleanupErrors: unknown[] = [];
  const timed = makeTimed((error) => cleanupErrors.push(error));
  await server.stop();

  const failed = (op: string) => new RegExp(`^sessionkit: ${component}: ${op} failed$`);
  await expectFastFailure(() => store.find(token), failed('find'));
  await expectFastFailure(() => store.commit(token, Uint8Array.of(2), later()), failed('commit'));
  await expectFastFailure(() => store.delete(token), failed('delete'));
  await expectFastFailure(() => store.touch(token, later()), failed('touch'));
  await expectFastFailure(async () => {
    for await (const entry of store.all()) void entry;
  }, failed('all'));
  await eventually(async () => expect(cleanupErrors.length).toBeGreaterThan(0), 5000);
  expect(cleanupErrors[0]).toBeInstanceOf(SessionkitError);
  expect((cleanupErrors[0] as Error).message).toBe(`sessionkit: ${component}: cleanup failed`);
  await timed.close();

  await server.start(); // same port and data directory
  expect(await eventually(async () => store.find(token))).toEqual(Uint8Array.of(1, 2));
  const again = generateToken();
  await store.commit(again, Uint8Array.of(3), later());
  expect(await store.find(again)).toEqual(Uint8Array.of(3));
}
