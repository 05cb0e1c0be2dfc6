// How a codec refuses a value it cannot store exactly: a SessionkitError naming the key and what it holds, never the value.
import { SessionkitError } from '../errors.js';

/** What was found, and how many levels below the session value. */
export interface Problem {
  what: string;
  depth: number;
}

/** The error for a refused value; `advice` ends the message. */
export function refusedValue(codec: string, key: string, problem: Problem, advice: string): SessionkitError {
  const where = problem.depth === 0 ? 'holds' : `holds, ${problem.depth} level${problem.depth === 1 ? '' : 's'} down,`;
  return new SessionkitError(`${codec} codec`, `cannot store the value of key ${quoteKey(key)}: it ${where} ${problem.what}; ${advice}`);
}

/** A session key as shown in an error: quoted, and cut short if long. */
export function quoteKey(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}

/** The class name from a prototype's own `constructor`, without running user getters. */
export function className(prototype: unknown): string {
  if (prototype === null || typeof prototype !== 'object') return 'an unknown class';
  const classFunction: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  const name = typeof classFunction === 'function' ? classFunction.name : '';
  return name === '' ? 'an anonymous class' : name.slice(0, 60);
}
