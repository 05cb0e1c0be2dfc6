// The soak's clients: each owns one session cookie, PUTs fresh counter values and GETs them back, and keeps the books.
import type { Agent } from 'node:http';
import { send, type Outcome } from './http.js';

/** A request that did not end in 200: when it was in flight and how it ended. */
export interface Failure {
  start: number;
  end: number;
  kind: string;
}

/** Counters for one store's run, shared by all its clients. */
export interface LoadStats {
  requests: number;
  puts: number;
  gets: number;
  /** `200`, `500`, ... or `error ECONNRESET`, `error no answer`. */
  outcomes: Map<string, number>;
  failures: Failure[];
  /** PUTs answered 200. */
  acknowledged: number;
  /** GETs answered 200 that did not show the client's last acknowledged value (or a later one it sent). */
  staleReads: number;
  /** PUTs answered 200 with a new cookie although the client's session held an acknowledged value. */
  sessionsLost: number;
  /** Answers that took longer than `lateAfter` ms. */
  late: number;
  slowest: number;
}

export function newStats(): LoadStats {
  return { requests: 0, puts: 0, gets: 0, outcomes: new Map(), failures: [], acknowledged: 0, staleReads: 0, sessionsLost: 0, late: 0, slowest: 0 };
}

/** One simulated user: a cookie, a counter, and what the server must remember for it. */
export class SoakClient {
  cookie: string | undefined;
  private counter = 0;
  /** The value of the last PUT answered 200. */
  lastAcked: number | undefined;
  /** Values sent after `lastAcked` whose PUT failed: each may still have been committed. */
  private readonly maybe = new Set<number>();

  nextValue(): number {
    return ++this.counter;
  }

  /** Records a PUT's outcome; returns false when a 200 came with a new cookie and lost an acknowledged value. */
  putDone(value: number, outcome: Outcome): boolean {
    if (outcome.status !== 200) {
      this.maybe.add(value);
      return true;
    }
    let kept = true;
    if (outcome.cookie !== undefined && outcome.cookie !== this.cookie) {
      kept = this.cookie === undefined || this.lastAcked === undefined;
      this.cookie = outcome.cookie;
    }
    this.lastAcked = value;
    this.maybe.clear();
    return kept;
  }

  /** True when `body` (a GET's answer) holds the last acknowledged value, or a later one this client sent. */
  holds(body: string): boolean {
    const value = body === '' ? undefined : Number(body);
    if (value === this.lastAcked) return true;
    return value !== undefined && this.maybe.has(value);
  }
}

export interface LoadOptions {
  agent: Agent;
  port: number;
  clients: SoakClient[];
  stats: LoadStats;
  /** Date.now() at which the clients stop sending. */
  until: number;
  maxRequests: number;
  /** An answer slower than this (ms) counts as late. */
  lateAfter: number;
  /** A request unanswered after this (ms) is abandoned as `no answer`. */
  giveUpAfter: number;
  /** Set to true to stop early (a crash, Ctrl-C). */
  stop: { now: boolean };
}

/** Runs every client until `until`, each sending one request at a time: half PUTs, half GETs. */
export async function runLoad(options: LoadOptions): Promise<void> {
  await Promise.all(options.clients.map((client) => clientLoop(client, options)));
}

async function clientLoop(client: SoakClient, options: LoadOptions): Promise<void> {
  const { stats } = options;
  while (Date.now() < options.until && !options.stop.now && stats.requests < options.maxRequests) {
    stats.requests++;
    const put = client.cookie === undefined || Math.random() < 0.5;
    const value = client.nextValue();
    const start = Date.now();
    const outcome = await send(options.agent, options.port, put ? 'PUT' : 'GET', put ? `/counter?v=${value}` : '/counter', client.cookie, options.giveUpAfter);
    const end = Date.now();
    const took = end - start;
    stats.slowest = Math.max(stats.slowest, took);
    if (took > options.lateAfter) stats.late++;
    const label = outcome.status === undefined ? `error ${outcome.error}` : String(outcome.status);
    stats.outcomes.set(label, (stats.outcomes.get(label) ?? 0) + 1);
    if (outcome.status !== 200) stats.failures.push({ start, end, kind: label });
    if (put) {
      stats.puts++;
      if (outcome.status === 200) stats.acknowledged++;
      if (!client.putDone(value, outcome)) stats.sessionsLost++;
    } else {
      stats.gets++;
      if (outcome.status === 200 && !client.holds(outcome.body)) stats.staleReads++;
    }
  }
}

/** What the check after a run found. */
export interface Verification {
  checked: number;
  /** Clients whose GET did not hold their last acknowledged value. */
  missing: number;
  /** Clients whose GET never got a 200 in all tries. */
  unanswered: number;
}

/**
 * GETs every client's counter (retrying a failed GET a few times: the store may still be coming
 * back) and counts the clients whose last acknowledged value is gone.
 */
export async function verify(agent: Agent, port: number, clients: SoakClient[], giveUpAfter: number): Promise<Verification> {
  const result: Verification = { checked: 0, missing: 0, unanswered: 0 };
  await Promise.all(
    clients.map(async (client) => {
      if (client.cookie === undefined) return;
      result.checked++;
      for (let attempt = 0; attempt < 10; attempt++) {
        const outcome = await send(agent, port, 'GET', '/counter', client.cookie, giveUpAfter);
        if (outcome.status === 200) {
          if (!client.holds(outcome.body)) result.missing++;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      result.unanswered++;
    }),
  );
  return result;
}
