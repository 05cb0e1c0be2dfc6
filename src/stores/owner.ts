// The owner argument of the stores' commit, commitIf, touch and findByOwner: checked the same way by every networked store.

/** The longest owner (a user id) a store accepts, in UTF-16 code units; the SQL column is sized for it. */
export const MAX_OWNER_LENGTH = 255;

/**
 * Throws a TypeError unless `owner` is a non-empty string of at most {@link MAX_OWNER_LENGTH}
 * UTF-16 code units. The message never shows the value: an owner is a user id, kept out of logs.
 */
export function checkOwner(owner: unknown, component: string): asserts owner is string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH) {
    throw new TypeError(`sessionkit: ${component}: owner must be a non-empty string of at most ${MAX_OWNER_LENGTH} characters`);
  }
}
