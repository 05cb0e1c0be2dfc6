// How every adapter adds a header to a response: list headers (Vary, Cache-Control) merged without repeats, others added.

/** What a framework returns for a header it holds: a string, a number, an array of lines, or nothing. @internal */
export type HeaderValue = string | number | readonly string[] | null | undefined;

/**
 * How an adapter reads and writes the headers of one response (`target`): node's ServerResponse,
 * Fastify's reply, a web `Headers`, or the headers a uWS handler queued. @internal
 */
export interface HeaderAccess<T> {
  /** The header's current value, by case-insensitive name. */
  get(target: T, name: string): HeaderValue;
  /** Replaces the header's value. */
  set(target: T, name: string, value: string): void;
  /** Adds one more line of the header (Set-Cookie). */
  append(target: T, name: string, value: string): void;
}

/**
 * Adds `value` to the comma-separated header `name` (Vary, Cache-Control) of `target`, keeping
 * what is there and never repeating a member. @internal
 */
export function addListValue<T>(headers: HeaderAccess<T>, target: T, name: string, value: string): void {
  const existing = headers.get(target, name);
  const merged = withListValue(existing, value);
  if (merged !== existing) headers.set(target, name, merged);
}

/**
 * `existing` with `value` added as one more list member, unless it is already listed
 * (case-insensitively) or `existing` is `*`. @internal
 */
export function withListValue(existing: HeaderValue, value: string): string {
  if (existing === undefined || existing === null) return value;
  const text = Array.isArray(existing) ? existing.join(', ') : String(existing);
  if (text.trim() === '') return value;
  const wanted = value.toLowerCase();
  for (const member of text.split(',')) {
    const token = member.trim().toLowerCase();
    if (token === wanted || token === '*') return text;
  }
  return `${text}, ${value}`;
}
