// The typed readers behind Session's getString/getNumber/... and popString/...: a value of the asked type, else its zero value.

/** The value if it is a string, else ''. */
export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The value if it is a number, else 0. */
export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** The value if it is true, else false. */
export function asBool(value: unknown): boolean {
  return value === true;
}

/** The value if it is a Uint8Array (Buffer included), else an empty one. */
export function asBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}

/** The value if it is a valid Date, else undefined. */
export function asDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}
