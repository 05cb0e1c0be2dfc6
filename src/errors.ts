// Error types: every message reads "sessionkit: <component>: ..." and keeps the underlying error as `cause`.

/** An error raised by sessionkit or one of its stores; `cause` holds the driver or system error. */
export class SessionkitError extends Error {
  /** Always `'SessionkitError'`. */
  override name = 'SessionkitError';
  /** The part of sessionkit that failed, e.g. `redis store` or `codec`. */
  readonly component: string;

  constructor(component: string, message: string, cause?: unknown) {
    super(`sessionkit: ${component}: ${message}`, cause === undefined ? undefined : { cause });
    this.component = component;
  }
}

/** A TypeError for a bad option, naming it: `sessionkit: option cookie.sameSite must be ...`. */
export function optionError(option: string, requirement: string, ...got: [unknown?]): TypeError {
  const shown = got.length > 0 ? `; got ${describe(got[0])}` : '';
  return new TypeError(`sessionkit: option ${option} ${requirement}${shown}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}
