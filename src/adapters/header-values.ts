// Adds a value to a comma-separated header (Vary, Cache-Control) without replacing what is there.

/**
 * `existing` with `value` added as one more list member, unless it is already listed
 * (case-insensitively) or `existing` is `*`. Accepts what frameworks return for a header:
 * a string, a number, an array of lines, or nothing. @internal
 */
export function withListValue(existing: string | number | readonly string[] | null | undefined, value: string): string {
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
