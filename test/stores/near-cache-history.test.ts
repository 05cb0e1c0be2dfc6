import { describe, expect, it } from 'vitest';
import { generateToken } from '../../src/token.js';
import { later } from '../support/time.js';
import { sharedRedisNodes } from './fixtures/shared-redis-nodes.js';
import { randomSuffix } from './support/processes.js';

/**
 * What is checked. Two app nodes run random writes, destroys and reads of a few tokens at once;
 * the test records when each operation was sent and when its answer came back. A read that
 * began after a write W was acknowledged must not return a value older than W, where "older"
 * means produced by an operation acknowledged before W was even sent (so Redis applied it first).
 * Staleness allowed: none after the reader's own writes; after another node's write, reads
 * begun within ALLOWED_MS of its acknowledgement (the invalidation's way to the other process)
 * are exempt, and counted.
 */
const ALLOWED_MS = 100;
const OPERATIONS_PER_NODE = 600;

interface Op {
  node: number;
  kind: 'write' | 'destroy' | 'read';
  token: string;
  /** For writes: the value written; for reads: the value seen (null: missing). */
  value: string | null;
  sent: number;
  acked: number;
  /** For reads: answered from the near cache. */
  cached?: boolean;
}

const now = () => performance.timeOrigin + performance.now();
const prefix = `sessionkit-test:${randomSuffix()}:`;
const nodes = sharedRedisNodes(prefix);

async function drive(node: number, tokens: string[], history: Op[], next: () => number): Promise<void> {
  for (let i = 0; i < OPERATIONS_PER_NODE; i++) {
    const token = tokens[Math.floor(Math.random() * tokens.length)]!;
    const roll = Math.random();
    const kind = roll < 0.25 ? 'write' : roll < 0.3 ? 'destroy' : 'read';
    const sent = now();
    if (kind === 'write') {
      const value = next().toString(16).padStart(8, '0');
      const answer = await nodes[node]!.send({ op: 'commit', token, data: value, expiresAt: later() });
      if (answer.error) throw new Error(answer.error);
      history.push({ node, kind, token, value, sent, acked: now() });
    } else if (kind === 'destroy') {
      await nodes[node]!.send({ op: 'delete', token });
      history.push({ node, kind, token, value: null, sent, acked: now() });
    } else {
      const answer = await nodes[node]!.send({ op: 'find', token });
      if (answer.error) throw new Error(answer.error);
      history.push({ node, kind, token, value: answer.data ?? null, sent, acked: now(), cached: answer.cached });
    }
  }
}

/** Reads that returned a value older than a write acknowledged before they began, beyond the allowance; and reads exempted. */
function staleReads(history: Op[]): { stale: Op[]; exempt: number; reads: number } {
  const writes = history.filter((op) => op.kind !== 'read');
  const reads = history.filter((op) => op.kind === 'read');
  const stale: Op[] = [];
  let exempt = 0;
  for (const read of reads) {
    const before = writes.filter((w) => w.token === read.token && w.acked < read.sent);
    // The read's value came from one of these (null: a destroy, or the token never written).
    const sources = writes.filter((w) => w.token === read.token && w.value === read.value && w.sent < read.acked);
    const newerThanEverySource = (w: Op) =>
      read.value === null ? sources.length === 0 || sources.every((s) => s.acked < w.sent) : sources.every((s) => s.acked < w.sent);
    const overtaking = before.filter((w) => w.value !== read.value && newerThanEverySource(w));
    if (overtaking.length === 0) continue;
    if (overtaking.every((w) => w.node !== read.node && read.sent - w.acked < ALLOWED_MS)) exempt++;
    else stale.push(read);
  }
  return { stale, exempt, reads: reads.length };
}

describe('RedisStore near cache: random history on two app nodes', () => {
  it('no read returns a value older than a write acknowledged before it began, beyond the allowance', { timeout: 120_000 }, async () => {
    const tokens = Array.from({ length: 4 }, () => generateToken());
    const history: Op[] = [];
    let counter = 0;
    const next = () => ++counter;
    await Promise.all([drive(0, tokens, history, next), drive(1, tokens, history, next)]);
    const { stale, exempt, reads } = staleReads(history);
    const cached = history.filter((op) => op.cached).length;
    console.log(
      `random history: ${history.length} operations, ${reads} reads (${cached} from the near cache), ${exempt} within the other node's allowance, ${stale.length} stale`,
    );
    expect(cached).toBeGreaterThan(reads / 10); // the cache was in play
    expect(stale).toEqual([]);
  });

  it('the checker finds a stale read in a made-up history (it can fail)', () => {
    const t = 'token';
    const history: Op[] = [
      { node: 0, kind: 'write', token: t, value: '01', sent: 0, acked: 1 },
      { node: 0, kind: 'write', token: t, value: '02', sent: 2, acked: 3 },
      { node: 0, kind: 'read', token: t, value: '01', sent: 4, acked: 5 },
      { node: 1, kind: 'read', token: t, value: '01', sent: 4, acked: 5 },
      { node: 1, kind: 'read', token: t, value: '01', sent: 500, acked: 501 },
      { node: 1, kind: 'destroy', token: t, value: null, sent: 600, acked: 601 },
      { node: 1, kind: 'read', token: t, value: '02', sent: 602, acked: 603 },
    ];
    const { stale, exempt } = staleReads(history);
    expect(stale.map((op) => op.sent)).toEqual([4, 500, 602]);
    expect(exempt).toBe(1);
  });
});
