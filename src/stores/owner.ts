// The owner argument of the stores' commit, commitIf, touch and findByOwner: the one check of the Store contract.
import { assertOwner, MAX_OWNER_LENGTH } from '../store-kit.js';

export { MAX_OWNER_LENGTH };

/** Throws a TypeError unless `owner` is a valid owner (see the Store contract); the message never shows it. */
export function checkOwner(owner: unknown, component: string): asserts owner is string {
  if (owner === undefined) throw new TypeError(`sessionkit: ${component}: owner must be a non-empty string`);
  assertOwner(owner, component);
}
