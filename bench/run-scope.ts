// What one bench run owns outside its own memory: a Redis key prefix and a SQL table name (handed to the
// children through the environment), the processes it started, and the cleanups that remove them all,
// at the end, on an error, or on Ctrl-C.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const RUN_ENV = 'SESSIONKIT_BENCH_RUN';

/** Every Redis key the bench creates starts with this; every SQL table it creates, with BENCH_TABLE_PREFIX. */
export const BENCH_KEY_PREFIX = 'sessionkit-bench-';
export const BENCH_TABLE_PREFIX = 'sessionkit_bench_';

/** This run's id: the parent's when this is a child the bench started, else a fresh one (exported to children). */
export function runId(): string {
  const inherited = process.env[RUN_ENV];
  if (inherited !== undefined && /^[0-9a-f]{8}$/.test(inherited)) return inherited;
  const fresh = randomBytes(4).toString('hex');
  process.env[RUN_ENV] = fresh;
  return fresh;
}

/** The Redis key prefix of this run (a part of the bench may add its own suffix). */
export const runKeyPrefix = (): string => `${BENCH_KEY_PREFIX}${runId()}:`;
/** The SQL table of this run (letters, digits and _ only: safe to quote into DDL). */
export const runTable = (): string => `${BENCH_TABLE_PREFIX}${runId()}`;

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<unknown>)[] = [];
let handlersInstalled = false;
let ending = false;
let interrupted = false;
let cleaning: Promise<void> | undefined;

/** True once SIGINT or SIGTERM asked the run to stop. */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** A child process to kill if the run is interrupted (forgotten once it exits); killed at once if the run is ending. */
export function trackChild(child: ChildProcess): void {
  // The suites go on to their next step when a child is killed: nothing started after that may outlive the run.
  if (ending) {
    child.kill('SIGKILL');
    return;
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A cleanup to run once at the end of the run, whatever happens (see runCleanups). */
export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\nbench: ${signal}: stopping the servers and removing what this run created`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}

/**
 * Kills the tracked children and runs every cleanup, once: a second call (the end of the run racing a
 * signal) waits for the same work, so the process never exits while a cleanup is still under way.
 */
export function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    ending = true;
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    for (const cleanup of cleanups.splice(0)) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`bench: cleanup failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  })();
  return cleaning;
}
