import { describe, expect, it } from 'vitest';
import {
  booleanOption,
  choiceOption,
  durationOption,
  functionOption,
  intervalOption,
  MAX_TIMER_MS,
  stringOption,
  timeoutOption,
  wholeOption,
} from '../../src/validate.js';

describe('option validators', () => {
  it('give the default for undefined and the value when it is good', () => {
    expect(intervalOption('i', undefined, 7)).toBe(7);
    expect(intervalOption('i', 0, 7)).toBe(0);
    expect(intervalOption('i', MAX_TIMER_MS, 7)).toBe(MAX_TIMER_MS);
    expect(timeoutOption('t', undefined, 5000)).toBe(5000);
    expect(timeoutOption('t', 0.5, 5000)).toBe(0.5);
    expect(durationOption('d', 2 ** 40, 1, false)).toBe(2 ** 40); // a lifetime is no timer: no cap
    expect(durationOption('d', 0, 1, true)).toBe(0);
    expect(wholeOption('w', 3, 1, 1)).toBe(3);
    expect(stringOption('s', 'x', 'y')).toBe('x');
    expect(booleanOption('b', false, true)).toBe(false);
    expect(choiceOption('c', 'b', 'a', ['a', 'b'])).toBe('b');
    const f = () => 1;
    expect(functionOption('f', f, () => 2)).toBe(f);
  });

  it('throw a TypeError naming the option and showing the value', () => {
    expect(() => intervalOption('sweepInterval', MAX_TIMER_MS + 1, 0)).toThrow(
      new TypeError('sessionkit: option sweepInterval must be a number of ms from 0 (off) to 2147483647; got 2147483648'),
    );
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10', null]) expect(() => intervalOption('i', bad, 0)).toThrow(TypeError);
    for (const bad of [0, -1, MAX_TIMER_MS + 1, Number.NaN])
      expect(() => timeoutOption('timeout', bad, 1)).toThrow(/option timeout must be a number of ms above 0/);
    expect(() => durationOption('lifetime', 0, 1, false)).toThrow(/option lifetime must be a finite number of ms above 0; got 0/);
    expect(() => durationOption('idle', Number.POSITIVE_INFINITY, 1, true)).toThrow(/option idle must be a finite number of ms, 0 or more/);
    expect(() => wholeOption('cache', 1.5, 1, 0)).toThrow(/option cache must be a whole number, 0 or more; got 1.5/);
    expect(() => stringOption('name', '', 'x')).toThrow(/option name must be a non-empty string; got ""/);
    expect(() => booleanOption('flag', 'yes', true)).toThrow(/option flag must be a boolean; got "yes"/);
    expect(() => choiceOption('durability', 'maybe', 'committed', ['committed', 'flushed'])).toThrow(
      /option durability must be 'committed' or 'flushed'; got "maybe"/,
    );
    expect(() => choiceOption('x', 'd', 'a', ['a', 'b', 'c'])).toThrow(/must be 'a', 'b' or 'c'/);
    expect(() => functionOption('onError', 'log', () => 1)).toThrow(/option onError must be a function; got "log"/);
  });
});
