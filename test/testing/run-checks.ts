// Runs the conformance checks against one store outside vitest's test registration, and reports each outcome.
import type { Store } from '../../src/store.js';
import { generateToken } from '../../src/token.js';
import type { ConformanceOptions } from '../../src/testing/check.js';
import { conformanceChecks } from '../../src/testing/conformance.js';

export interface CheckOutcome {
  /** `<group> <name>`, or the name alone for a basic check. */
  title: string;
  outcome: 'passed' | 'failed' | 'skipped';
  error?: unknown;
}

class Skipped extends Error {}

const DEFAULT_TIMEOUT = 10_000;

function withTimeout(run: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check the options select, one after another, over one store from `factory`, as the suite does. */
export async function runChecks(name: string, factory: () => Store | Promise<Store>, options: ConformanceOptions = {}): Promise<CheckOutcome[]> {
  const store = await factory();
  await store.find(generateToken());
  const outcomes: CheckOutcome[] = [];
  const context = {
    name,
    options,
    factory,
    skip(reason: string): never {
      throw new Skipped(reason);
    },
  };
  try {
    for (const check of conformanceChecks(options)) {
      const title = check.group === '' ? check.name : `${check.group} ${check.name}`;
      try {
        await withTimeout(check.run(store, context), check.timeout ?? DEFAULT_TIMEOUT);
        outcomes.push({ title, outcome: 'passed' });
      } catch (error) {
        outcomes.push({ title, outcome: error instanceof Skipped ? 'skipped' : 'failed', error });
      }
    }
  } finally {
    await store.close?.();
  }
  return outcomes;
}

/** The titles of the checks that had `outcome`. */
export function titles(outcomes: CheckOutcome[], outcome: CheckOutcome['outcome']): string[] {
  return outcomes.filter((each) => each.outcome === outcome).map((each) => each.title);
}
