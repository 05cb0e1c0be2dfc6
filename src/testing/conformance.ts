// The store conformance suite: one set of vitest tests that every Store must pass, exported for third-party stores.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Store } from '../store.js';
import { generateToken } from '../token.js';
import { allChecks, basicChecks, touchChecks } from './basic-checks.js';
import { commitIfChecks, findByOwnerChecks } from './capabilities.js';
import { eventChecks } from './event-checks.js';
import type { Check, CheckContext, ConformanceOptions } from './check.js';
import { stableBytesChecks } from './stable-bytes.js';

const closeCheck: Check = {
  group: 'close()',
  name: 'resolves and can be called twice',
  async run(_store, context) {
    const other = await context.factory();
    await other.find(generateToken());
    await other.close?.();
    await other.close?.();
  },
};

/** The checks the suite runs for `options`, in order; groups switched off by an option are left out. */
export function conformanceChecks(options: ConformanceOptions = {}): Check[] {
  return [
    ...basicChecks,
    ...(options.all === false ? [] : allChecks),
    ...(options.touch === false ? [] : touchChecks),
    ...stableBytesChecks,
    ...(options.commitIf === false ? [] : commitIfChecks),
    ...(options.findByOwner === false ? [] : findByOwnerChecks),
    ...(options.events === false ? [] : eventChecks),
    closeCheck,
  ];
}

/**
 * Registers the conformance tests for a store. `factory` is called once, before the tests; the
 * store is closed after them. Tokens are random, so parallel runs can share one database.
 *
 * @example
 * storeConformance('MemoryStore', () => new MemoryStore());
 */
export function storeConformance(name: string, factory: () => Store | Promise<Store>, options: ConformanceOptions = {}): void {
  describe(`${name} conformance`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await factory();
      await store.find(generateToken()); // warm the connection before anything is timed
    });

    afterAll(async () => {
      await store?.close?.();
    });

    const checks = conformanceChecks(options);
    const groups = [...new Set(checks.map((check) => check.group))];
    for (const title of groups) {
      const register = () => {
        for (const check of checks.filter((each) => each.group === title)) {
          it(check.name, { timeout: check.timeout }, (test) => {
            const context: CheckContext = { name, options, factory, skip: (reason) => test.skip(reason) };
            return check.run(store, context);
          });
        }
      };
      if (title === '') register();
      else describe(title, register);
    }
  });
}
