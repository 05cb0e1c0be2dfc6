// Run counts and time bounds shared by the property tests: SESSIONKIT_PROPERTY_RUNS and SESSIONKIT_PROPERTY_SEED.
import fc from 'fast-check';
import { expect } from 'vitest';

function fromEnv(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be a whole number; got ${JSON.stringify(text)}`);
  return value;
}

/** Runs of each property: SESSIONKIT_PROPERTY_RUNS, default 1000. */
export const RUNS = Math.max(1, fromEnv('SESSIONKIT_PROPERTY_RUNS') ?? 1000);
const SEED = fromEnv('SESSIONKIT_PROPERTY_SEED');

/**
 * fast-check parameters for one property. `share` scales the run count for properties whose
 * inputs are large (a megabyte header). Set SESSIONKIT_PROPERTY_SEED to replay a reported failure.
 */
export function runs(share = 1): fc.Parameters<unknown> {
  return { numRuns: Math.max(1, Math.round(RUNS * share)), ...(SEED === undefined ? {} : { seed: SEED }) };
}

/** A vitest timeout that grows with the run count (at least 20 s). */
export function timeoutFor(share = 1, msPerRun = 5): number {
  return Math.max(20_000, Math.round(RUNS * share * msPerRun));
}

/**
 * Calls `fn` and fails if it takes longer than `limitMs`: a hang or a super-linear scan shows as a
 * slow run long before it would stall the test. The bounds are generous for a loaded machine.
 */
export function inTime<T>(limitMs: number, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  const elapsed = performance.now() - start;
  expect(elapsed, `took ${elapsed.toFixed(1)} ms`).toBeLessThan(limitMs);
  return result;
}

/** Strings of any UTF-16 code units (lone surrogates included), any code point, or Latin-1 bytes as a header arrives. */
export function anyText(maxLength = 200): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units)),
  );
}
