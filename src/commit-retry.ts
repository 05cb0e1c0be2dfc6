// How long a commit keeps merging a session that other writers keep changing, and how it pauses between attempts.
import { SessionkitError } from './errors.js';
import type { Store } from './store.js';

/** The conflict budget of a store without a `timeout`, in ms. */
export const DEFAULT_CONFLICT_BUDGET = 5000;
/** Longest pause between two conditional writes of one commit, in ms. */
const MAX_PAUSE = 50;

/** The conflict budget: the store's own `timeout` (ms) when it has one, else 5 s. */
export function conflictBudget(store: Store): number {
  const timeout = store.timeout;
  return typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout) ? timeout : DEFAULT_CONFLICT_BUDGET;
}

/** When a commit whose first conditional write just failed stops retrying (ms since epoch). */
export function conflictDeadline(store: Store): number {
  return Date.now() + conflictBudget(store);
}

/**
 * The pause after the `attempt`-th failed retry (0: none, retry at once): a random time up to a
 * ceiling that doubles with each attempt, up to 50 ms ("full jitter"), so writers in different
 * processes stop colliding; never past `giveUpAt`.
 */
export function pauseBeforeRetry(attempt: number, giveUpAt: number): Promise<void> | undefined {
  if (attempt === 0) return undefined;
  const ceiling = Math.min(MAX_PAUSE, 2 ** attempt, giveUpAt - Date.now());
  if (!(ceiling > 0)) return undefined;
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** The error of a commit that found the session changed under every attempt for the whole budget. */
export function conflictError(store: Store): SessionkitError {
  return new SessionkitError(
    'commit',
    `commit conflict: other writers kept changing the stored session for ${conflictBudget(store)} ms, under every attempt to write it; nothing was written`,
  );
}
