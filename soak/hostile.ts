// The hostile clients: request-sized values in anonymous sessions, same-tick commit storms on one session,
// concurrent logins against maxSessionsPerUser, while the ordinary counter clients keep checking their writes.
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { newStats, runLoad, SoakClient, verify, type LoadStats, type Verification } from './clients.js';
import { send, type Outcome } from './http.js';
import type { LOGIN_CAPS } from './protocol.js';

/** Size of each request-sized session value. */
export const BLOB_BYTES = 256 * 1024;
/** Clients sending blobs at once, each as fast as it is answered. */
const BLOB_CLIENTS = 8;
/** Requests in one storm (all on one session, committing in the same tick), and storms per run. */
export const STORM_SIZE = 200;
const STORMS = 5;
/** Concurrent logins of one user against a cap: [cap, logins]. */
export const LOGIN_RUNS: readonly [cap: (typeof LOGIN_CAPS)[number], logins: number][] = [
  [1, 2],
  [1, 10],
  [3, 30],
];
/** Ordinary counter clients running through the whole phase: they check that no acknowledged write is lost. */
const COUNTER_CLIENTS = 16;
const GIVE_UP_AFTER = 15_000;

/** One storm: how many of its requests were answered 200, how many 500, and how many keys the session kept. */
export interface StormResult {
  /** Answers by status (`200`, `500`, `error ECONNRESET`, ...). */
  outcomes: Map<string, number>;
  acked: number;
  errors: number;
  kept: number | undefined;
}

/** One round of concurrent logins: sessions the user has afterwards. */
export interface LoginResult {
  outcomes: Map<string, number>;
  cap: number;
  logins: number;
  acked: number;
  errors: number;
  left: number | undefined;
}

export interface HostileResult {
  blobs: { sent: number; acked: number; outcomes: Map<string, number>; seconds: number };
  storms: StormResult[];
  logins: LoginResult[];
  counters: LoadStats;
  /** The counter clients' sessions checked after the phase. */
  after: Verification;
}

function label(outcome: Outcome): string {
  return outcome.status === undefined ? `error ${outcome.error}` : String(outcome.status);
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function tally(outcomes: Outcome[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const outcome of outcomes) count(map, label(outcome));
  return map;
}

/** Anonymous clients PUT 256 KiB values as fast as they are answered, each into a new session, until `until`. */
async function floodBlobs(port: number, until: number, log: (line: string) => void): Promise<HostileResult['blobs']> {
  const agent = new Agent({ keepAlive: true, maxSockets: BLOB_CLIENTS });
  const body = Buffer.from(randomBytes(BLOB_BYTES / 2).toString('hex'), 'latin1');
  const result = { sent: 0, acked: 0, outcomes: new Map<string, number>(), seconds: 0 };
  const start = Date.now();
  let next = start + 5000;
  try {
    await Promise.all(
      Array.from({ length: BLOB_CLIENTS }, async () => {
        while (Date.now() < until) {
          result.sent++;
          const outcome = await send(agent, port, 'PUT', '/blob', undefined, GIVE_UP_AFTER, body);
          count(result.outcomes, label(outcome));
          if (outcome.status === 200) result.acked++;
          if (Date.now() >= next) {
            next += 5000;
            log(`blobs: ${result.sent} sent, ${result.acked} answered 200`);
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  result.seconds = (Date.now() - start) / 1000;
  return result;
}

/** STORM_SIZE requests of one session, all in flight at once: the server holds each until the last arrives, then each puts its own key. */
async function storm(port: number, round: string): Promise<StormResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: STORM_SIZE + 1 });
  try {
    const created = await send(agent, port, 'PUT', '/counter?v=0', undefined, GIVE_UP_AFTER);
    if (created.status !== 200 || created.cookie === undefined) {
      return { outcomes: new Map([[label(created), STORM_SIZE]]), acked: 0, errors: STORM_SIZE, kept: undefined };
    }
    const cookie = created.cookie;
    const outcomes = await Promise.all(
      Array.from({ length: STORM_SIZE }, (_, k) => send(agent, port, 'POST', `/storm?round=${round}&k=${k}&n=${STORM_SIZE}`, cookie, GIVE_UP_AFTER)),
    );
    const acked = outcomes.filter((outcome) => outcome.status === 200).length;
    const read = await send(agent, port, 'GET', '/storm', cookie, GIVE_UP_AFTER);
    return { outcomes: tally(outcomes), acked, errors: STORM_SIZE - acked, kept: read.status === 200 ? Number(read.body) : undefined };
  } finally {
    agent.destroy();
  }
}

/** `logins` clients without a cookie log in as one new user at once; then the user's sessions are counted. */
async function concurrentLogins(port: number, cap: number, logins: number, user: string): Promise<LoginResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: logins + 1 });
  try {
    const outcomes = await Promise.all(Array.from({ length: logins }, () => send(agent, port, 'POST', `/login/${cap}?user=${user}`, undefined, GIVE_UP_AFTER)));
    const acked = outcomes.filter((outcome) => outcome.status === 200).length;
    const listed = await send(agent, port, 'GET', `/login/${cap}?user=${user}`, undefined, GIVE_UP_AFTER);
    return { outcomes: tally(outcomes), cap, logins, acked, errors: logins - acked, left: listed.status === 200 ? Number(listed.body) : undefined };
  } finally {
    agent.destroy();
  }
}

/** Runs the hostile clients against the server on `port` for about `seconds` of blobs, then the storms and logins. */
export async function runHostile(port: number, seconds: number, stop: { now: boolean }, log: (line: string) => void): Promise<HostileResult> {
  const counterAgent = new Agent({ keepAlive: true, maxSockets: COUNTER_CLIENTS });
  const counters = newStats();
  const done = { now: false };
  const either = {
    get now() {
      return done.now || stop.now;
    },
  };
  const clients = Array.from({ length: COUNTER_CLIENTS }, () => new SoakClient());
  const load = runLoad({
    agent: counterAgent,
    port,
    clients,
    stats: counters,
    until: Number.POSITIVE_INFINITY,
    maxRequests: Number.MAX_SAFE_INTEGER,
    lateAfter: GIVE_UP_AFTER,
    giveUpAfter: GIVE_UP_AFTER,
    stop: either,
  });
  try {
    log(`blobs: ${BLOB_CLIENTS} clients storing ${BLOB_BYTES / 1024} KiB values in new sessions for ${seconds} s`);
    const blobs = await floodBlobs(port, Date.now() + seconds * 1000, log);
    const storms: StormResult[] = [];
    const id = randomBytes(4).toString('hex');
    for (let round = 0; round < STORMS && !stop.now; round++) {
      const result = await storm(port, `${id}-${round}`);
      log(`storm ${round + 1}/${STORMS}: ${STORM_SIZE} same-tick commits of one session: ${result.acked} answered 200, ${result.kept ?? '?'} keys kept`);
      storms.push(result);
    }
    const logins: LoginResult[] = [];
    for (const [cap, n] of LOGIN_RUNS) {
      if (stop.now) break;
      const result = await concurrentLogins(port, cap, n, `${id}-${cap}-${n}`);
      log(`logins: ${n} at once against a cap of ${cap}: ${result.acked} answered 200, ${result.left ?? '?'} sessions left`);
      logins.push(result);
    }
    done.now = true;
    await load;
    const after = await verify(counterAgent, port, clients, GIVE_UP_AFTER);
    return { blobs, storms, logins, counters, after };
  } finally {
    done.now = true;
    await load;
    counterAgent.destroy();
  }
}
