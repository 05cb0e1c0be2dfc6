// Turns one store's hostile-clients phase into a readable report, the invariants it broke, and a summary row.
import type { HostilePhaseResult } from './hostile-phase.js';
import { BLOB_BYTES, STORM_SIZE } from './hostile.js';

/**
 * Memory a server may use beyond its store and decode cache bounds, over its anonymous RSS when it
 * started listening: request buffers, sockets, the V8 heap's room for garbage not yet collected,
 * and what the C allocator keeps after freeing. It does not grow with the number of clients or
 * the size of their values. Measured at the peak (no forced GC) while 8 clients send 256 KiB
 * values as fast as they can: about 75 MiB on a server whose store keeps nothing in-process
 * (Redis, PostgreSQL), up to about 210 MiB on MemoryStore, where each value is also copied into
 * the store and its eviction frees it again; this leaves room above both.
 */
export const FIXED_OVERHEAD = 256 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** A summary table row: one store's hostile phase at a glance. */
export interface HostileSummary {
  store: string;
  result: string;
  memory: string;
  errors: string;
  lost: string;
  storms: string;
  logins: string;
}

/** The memory the configuration allows the server: what it started with, the store and decode cache bounds, the fixed overhead. */
export function memoryBound(phase: HostilePhaseResult): number {
  return phase.anon.start + phase.memory.storeBytes + phase.memory.decodeCacheBytes + FIXED_OVERHEAD;
}

function counts(entries: Iterable<[string, number]>): string {
  const list = [...entries].filter(([label]) => label !== '200').map(([label, n]) => `${label}: ${n}`);
  return list.length === 0 ? 'none' : list.join(', ');
}

/** The report's lines, the invariants broken (empty: passed) and the summary row. */
export function hostileReport(phase: HostilePhaseResult): { lines: string[]; broken: string[]; summary: HostileSummary } {
  const broken: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || broken.push(what));
  const lines = [`== ${phase.store}: hostile clients ==`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(22)}${text}`);
  const bound = memoryBound(phase);
  const { memory } = phase;
  const decode = `decode cache ${mib(memory.decodeCacheBytes)}${memory.decodeCacheAssumed ? ' (assumed: the manager reports no decodeCacheBytes)' : ''}`;
  row('memory bound', `${mib(bound)} = start ${mib(phase.anon.start)} + store ${mib(memory.storeBytes)} + ${decode} + overhead ${mib(FIXED_OVERHEAD)}`);
  row('peak memory', `${mib(phase.anon.peak)} anonymous RSS (${mib(phase.rssPeak)} with file-backed pages)`);
  check(phase.anon.peak <= bound, `memory over its bound (${mib(phase.anon.peak)} > ${mib(bound)})`);
  const summary: HostileSummary = {
    store: phase.store,
    result: '',
    memory: `${mib(phase.anon.peak)} / ${mib(bound)}`,
    errors: '-',
    lost: '-',
    storms: '-',
    logins: '-',
  };
  const result = phase.result;
  if (phase.crash !== undefined || result === undefined) {
    row('crashes', `1 (${phase.crash ?? 'no result'})`);
    for (const line of phase.crashOutput.trim().split('\n').slice(-30)) if (line !== '') lines.push(`    ${line}`);
    check(false, 'the server crashed');
  } else {
    const { blobs, storms, logins, counters, after } = result;
    row(
      'request-sized values',
      `${blobs.sent} PUTs of ${BLOB_BYTES / 1024} KiB into new sessions in ${blobs.seconds.toFixed(1)} s; errors: ${counts(blobs.outcomes)}`,
    );
    const stormErrors = storms.reduce((sum, storm) => sum + storm.errors, 0);
    const keptAll = storms.filter((storm) => storm.kept === storm.acked).length;
    row('commit storms', `${storms.length} x ${STORM_SIZE} same-tick commits of one session: ${stormErrors} not answered 200`);
    row('  keys kept', storms.map((storm) => `${storm.kept ?? '?'}/${storm.acked}`).join(', '));
    for (const login of logins) {
      row(
        `logins, cap ${login.cap}`,
        `${login.logins} at once: ${login.errors} not answered 200, ${login.left ?? '?'} sessions left (want ${Math.min(login.cap, login.logins)})`,
      );
    }
    const lostDuring = counters.staleReads + counters.sessionsLost;
    const lost = lostDuring + after.missing;
    row('counter clients', `${counters.requests} requests alongside; errors: ${counts(counters.outcomes)}`);
    row(
      'acked writes missing',
      `${lost} (${counters.staleReads} stale GETs, ${counters.sessionsLost} sessions replaced, ${after.missing} of ${after.checked} missing after)`,
    );
    const failures = new Map<string, number>();
    for (const outcomes of [blobs.outcomes, counters.outcomes, ...storms.map((s) => s.outcomes), ...logins.map((l) => l.outcomes)]) {
      for (const [label, n] of outcomes) if (label !== '200') failures.set(label, (failures.get(label) ?? 0) + n);
    }
    const errors = [...failures.values()].reduce((sum, n) => sum + n, 0);
    row('failed requests', `${errors}${errors > 0 ? ` (${counts(failures)})` : ''}`);
    check(errors === 0, `requests failed (${counts(failures)})`);
    check(lost === 0, `acknowledged writes are missing (${lost})`);
    check(after.unanswered === 0, 'the check after the phase got no answer');
    check(keptAll === storms.length, `a storm lost keys (${storms.length - keptAll} of ${storms.length})`);
    const capsHeld = logins.filter((login) => login.left === Math.min(login.cap, login.logins)).length;
    check(capsHeld === logins.length, `a cap was not held (${logins.length - capsHeld} of ${logins.length})`);
    summary.errors = `${failures.get('500') ?? 0}${errors > (failures.get('500') ?? 0) ? ` (+${errors - (failures.get('500') ?? 0)} other)` : ''}`;
    summary.lost = String(lost);
    summary.storms = `${storms.reduce((sum, storm) => sum + (storm.kept ?? 0), 0)}/${storms.length * STORM_SIZE}`;
    summary.logins = logins.map((login) => `${login.left ?? '?'}/${login.cap}`).join(' ');
    const shutdown = phase.shutdown;
    if (shutdown !== undefined) check(shutdown.closeError === undefined, 'closing the store failed');
  }
  summary.result = broken.length === 0 ? 'PASS' : 'FAIL';
  lines.push(`  ${'result'.padEnd(22)}${broken.length === 0 ? 'PASS' : `FAIL: ${broken.join('; ')}`}`);
  return { lines, broken, summary };
}

/** The summary table of every store's hostile phase. */
export function summaryTable(rows: HostileSummary[]): string[] {
  const header: HostileSummary = {
    store: 'store',
    result: 'result',
    memory: 'peak / bound',
    errors: '500s',
    lost: 'lost acks',
    storms: 'storm keys kept',
    logins: 'sessions left / cap',
  };
  const columns = Object.keys(header) as (keyof HostileSummary)[];
  const width = (column: keyof HostileSummary) => Math.max(...[header, ...rows].map((row) => row[column].length));
  const line = (row: HostileSummary) => `  ${columns.map((column) => row[column].padEnd(width(column))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
