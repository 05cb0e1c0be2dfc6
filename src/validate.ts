// Option checks shared by the manager and every store: each returns the value (or its default) or throws a TypeError naming the option.
import { optionError } from './errors.js';

/** The longest delay `setTimeout` and `setInterval` honour (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer interval in ms, 0 meaning off; at most {@link MAX_TIMER_MS}. `undefined` gives `fallback`. */
export function intervalOption(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_TIMER_MS)) {
    throw optionError(option, `must be a number of ms from 0 (off) to ${MAX_TIMER_MS}`, value);
  }
  return value;
}

/** A time limit in ms, above 0 and at most {@link MAX_TIMER_MS}. `undefined` gives `fallback`. */
export function timeoutOption(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMER_MS)) {
    throw optionError(option, `must be a number of ms above 0, at most ${MAX_TIMER_MS}`, value);
  }
  return value;
}

/** A length of time in ms that no timer waits for (a lifetime, an expiry): finite, above 0 or, with `allowZero`, 0 or more. */
export function durationOption(option: string, value: unknown, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw optionError(option, allowZero ? 'must be a finite number of ms, 0 or more' : 'must be a finite number of ms above 0', value);
  }
  return value;
}

/** A whole number (a count or a size), `min` or more. `undefined` gives `fallback`. */
export function wholeOption(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min) throw optionError(option, `must be a whole number, ${min} or more`, value);
  return value as number;
}

/**
 * A function (a callback such as `onError`). `undefined` gives `fallback`.
 * @typeParam F - the function type the option takes, that of `fallback`.
 */
export function functionOption<F extends (...args: never[]) => unknown>(option: string, value: unknown, fallback: F): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw optionError(option, 'must be a function', value);
  return value as F;
}

/** A non-empty string. `undefined` gives `fallback`. */
export function stringOption(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw optionError(option, 'must be a non-empty string', value);
  return value;
}

/** A boolean. `undefined` gives `fallback`. */
export function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw optionError(option, 'must be a boolean', value);
  return value;
}

/** One of `choices`. `undefined` gives `fallback`. */
export function choiceOption<T extends string>(option: string, value: unknown, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    const listed = choices.map((choice) => `'${choice}'`);
    throw optionError(option, `must be ${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}`, value);
  }
  return value as T;
}
