import { describe, expect, it } from 'vitest';
import { newStats } from '../../soak/clients.js';
import type { HostilePhaseResult } from '../../soak/hostile-phase.js';
import { FIXED_OVERHEAD, hostileReport, memoryBound } from '../../soak/hostile-report.js';
import { STORM_SIZE } from '../../soak/hostile.js';

const MiB = 1024 * 1024;

/** A hostile phase in which everything held. */
function passing(): HostilePhaseResult {
  const ok = (n: number) => new Map([['200', n]]);
  return {
    store: 'memory',
    memory: { storeBytes: 64 * MiB, decodeCacheBytes: 32 * MiB, decodeCacheAssumed: false },
    anon: { start: 40 * MiB, peak: 100 * MiB },
    rssPeak: 150 * MiB,
    crash: undefined,
    crashOutput: '',
    shutdown: { handles: [], exitedByItself: true, errors: {}, closeError: undefined, closeMs: 5 },
    result: {
      blobs: { sent: 100, acked: 100, outcomes: ok(100), seconds: 1 },
      storms: [{ outcomes: ok(STORM_SIZE), acked: STORM_SIZE, errors: 0, kept: STORM_SIZE }],
      logins: [
        { outcomes: ok(2), cap: 1, logins: 2, acked: 2, errors: 0, left: 1 },
        { outcomes: ok(30), cap: 3, logins: 30, acked: 30, errors: 0, left: 3 },
      ],
      counters: { ...newStats(), requests: 10, outcomes: ok(10) },
      after: { checked: 16, missing: 0, unanswered: 0 },
    },
  };
}

describe('the soak fails a hostile phase on each broken guarantee', () => {
  it('passes a phase in which everything held', () => {
    const report = hostileReport(passing());
    expect(report.broken).toEqual([]);
    expect(report.summary.result).toBe('PASS');
  });

  it('the memory bound is the start, the store and decode cache bounds and the fixed overhead', () => {
    expect(memoryBound(passing())).toBe(40 * MiB + 64 * MiB + 32 * MiB + FIXED_OVERHEAD);
  });

  it('fails when the peak memory is over the bound, and not when it is at the bound', () => {
    const phase = passing();
    phase.anon.peak = memoryBound(phase);
    expect(hostileReport(phase).broken).toEqual([]);
    phase.anon.peak += 1;
    expect(hostileReport(phase).broken).toEqual([expect.stringMatching(/^memory over its bound/)]);
  });

  it('fails on any 500, whichever client got it', () => {
    for (const where of ['blobs', 'storm', 'login', 'counters'] as const) {
      const phase = passing();
      const result = phase.result!;
      const outcomes = {
        blobs: result.blobs.outcomes,
        storm: result.storms[0]!.outcomes,
        login: result.logins[0]!.outcomes,
        counters: result.counters.outcomes,
      }[where];
      outcomes.set('500', 1);
      expect(hostileReport(phase).broken, where).toEqual([expect.stringMatching(/^requests failed \(500: 1\)/)]);
    }
  });

  it('fails on an acknowledged write lost during or after the phase', () => {
    for (const lose of [(p: HostilePhaseResult) => (p.result!.counters.staleReads = 1), (p: HostilePhaseResult) => (p.result!.after.missing = 1)]) {
      const phase = passing();
      lose(phase);
      expect(hostileReport(phase).broken).toEqual([expect.stringMatching(/^acknowledged writes are missing \(1\)/)]);
    }
  });

  it('fails on a storm that kept fewer keys than it acknowledged', () => {
    const phase = passing();
    phase.result!.storms[0]!.kept = STORM_SIZE - 1;
    expect(hostileReport(phase).broken).toEqual([expect.stringMatching(/^a storm lost keys/)]);
  });

  it('fails on a cap not held, whether fewer or more sessions are left', () => {
    for (const left of [0, 2]) {
      const phase = passing();
      phase.result!.logins[0]!.left = left;
      expect(hostileReport(phase).broken).toEqual([expect.stringMatching(/^a cap was not held/)]);
    }
  });

  it('fails on a crash and shows what the server wrote to stderr', () => {
    const phase = passing();
    phase.crash = 'SIGABRT';
    phase.crashOutput = 'Error: MDB_PANIC: Update of meta page failed or environment had fatal error\n';
    phase.result = undefined;
    const report = hostileReport(phase);
    expect(report.broken).toContain('the server crashed');
    expect(report.lines.join('\n')).toContain('MDB_PANIC');
  });
});
