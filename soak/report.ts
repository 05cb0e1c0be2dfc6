// Turns one store's soak run into a readable report and the list of invariants it broke.
import type { LoadStats, Verification } from './clients.js';
import type { FaultWindow } from './faults.js';
import type { ServerShutdown } from './server-process.js';

/** Everything measured in one store's run. */
export interface StoreResult {
  store: string;
  seconds: number;
  clients: number;
  stats: LoadStats;
  windows: FaultWindow[];
  notes: Map<string, number>;
  /** ms after a store came back during which failures still count as the outage's. */
  grace: number;
  /** Date.now() at the start and end of the load. */
  start: number;
  end: number;
  lateAfter: number;
  live: Verification | undefined;
  fresh: Verification | undefined;
  crash: string | undefined;
  /** The end of the server's stderr when it crashed: its error. */
  crashOutput: string;
  rss: { start: number; peak: number; end: number };
  shutdown: ServerShutdown | undefined;
}

/** ms closing the store may take after the run. */
const SLOW_CLOSE = 10_000;
/** Lines of a crashed server's stderr shown in the report. */
const CRASH_LINES = 30;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function counts(entries: Iterable<[string, number]>): string {
  const list = [...entries].sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label}: ${n}`);
  return list.length === 0 ? 'none' : list.join(', ');
}

/** Splits the non-200 answers into those during a store failure (or its grace period) and the rest. */
function classify(result: StoreResult): { during: Map<string, number>; outside: Map<string, number> } {
  const during = new Map<string, number>();
  const outside = new Map<string, number>();
  for (const failure of result.stats.failures) {
    const expected = result.windows.some((w) => failure.start <= w.to + result.grace && failure.end >= w.from);
    const into = expected ? during : outside;
    into.set(failure.kind, (into.get(failure.kind) ?? 0) + 1);
  }
  return { during, outside };
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const n of map.values()) total += n;
  return total;
}

/** The report's lines and the invariants the run broke (empty: it passed). */
export function report(result: StoreResult): { lines: string[]; broken: string[] } {
  const { stats } = result;
  const { during, outside } = classify(result);
  const elapsed = result.end - result.start;
  const broken: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || broken.push(what));

  const lines = [`== ${result.store}: ${seconds(elapsed)}, ${result.clients} clients ==`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(22)}${text}`);
  row('requests', `${stats.requests} (${Math.round(stats.requests / (elapsed / 1000))}/s): ${stats.puts} PUT, ${stats.gets} GET`);
  row('responses', counts(stats.outcomes));
  const events = result.windows.map((w) => `${w.what} ${seconds(w.from - result.start)}–${seconds(w.to - result.start)}`);
  const failures = events.length > 0 ? events.join('; ') : result.notes.size > 0 ? 'none of its own (see below)' : 'none (load only)';
  row('store failures', failures);
  for (const [label, n] of result.notes) row(label, String(n));
  if (result.windows.length > 0) {
    row('errors, store failing', `${counts(during)} (until ${seconds(result.grace)} after it was back)`);
    row('errors, store healthy', counts(outside));
  } else {
    row('errors', counts(outside));
  }
  const last = result.windows.reduce((latest, w) => Math.max(latest, w.to + result.grace), Number.NEGATIVE_INFINITY);
  if (Number.isFinite(last)) {
    const after = [...result.stats.failures].filter((f) => f.start > last).length;
    row('recovery window', `${seconds(Math.max(0, result.end - last))} after the last failure: ${after} errors`);
  }
  row('slowest answer', `${seconds(stats.slowest)}; ${stats.late} slower than ${seconds(result.lateAfter)}`);
  row('acknowledged writes', String(stats.acknowledged));
  const missingAfter = (result.live?.missing ?? 0) + (result.fresh?.missing ?? 0);
  const missingDuring = stats.staleReads + stats.sessionsLost;
  row('acked writes missing', String(missingAfter + missingDuring));
  const after = (v: Verification | undefined, where: string) =>
    v === undefined
      ? `not checked through ${where}`
      : `${v.missing} of ${v.checked} sessions through ${where}${v.unanswered > 0 ? ` (${v.unanswered} never answered)` : ''}`;
  row(
    '  after the run',
    `${after(result.live, 'the running server')}; ${result.fresh === undefined ? 'no restart check' : after(result.fresh, 'a fresh server')}`,
  );
  row('  during the run', `${stats.staleReads} GETs without the last acked value, ${stats.sessionsLost} sessions replaced by a new cookie`);
  row('crashes', result.crash === undefined ? '0' : `1 (${result.crash})`);
  if (result.crash !== undefined) {
    const output = result.crashOutput.trim().split('\n').slice(-CRASH_LINES);
    row('  server stderr', output.length === 0 || output[0] === '' ? '(nothing)' : '');
    for (const line of output) if (line !== '') lines.push(`    ${line}`);
  }
  row('server RSS', `start ${mib(result.rss.start)}, peak ${mib(result.rss.peak)}, end ${mib(result.rss.end)}`);
  const shutdown = result.shutdown;
  if (shutdown !== undefined) {
    const handles = new Map<string, number>();
    for (const name of shutdown.handles) handles.set(name, (handles.get(name) ?? 0) + 1);
    row('handles left open', shutdown.handles.length === 0 ? 'none' : counts(handles));
    row('server exit', shutdown.exitedByItself ? 'by itself once closed' : 'had to be killed after closing');
    row('server onError', counts(Object.entries(shutdown.errors)));
    if (shutdown.closeMs !== undefined)
      row('closing the store', `${seconds(shutdown.closeMs)}${shutdown.closeError === undefined ? '' : `, failed: ${shutdown.closeError}`}`);
  }

  check(result.crash === undefined, 'the server crashed');
  check(sum(outside) === 0, 'requests failed while the store was healthy');
  check(stats.late === 0, `answers took longer than ${seconds(result.lateAfter)}`);
  check(missingAfter + missingDuring === 0, 'acknowledged writes are missing');
  check((result.live?.unanswered ?? 0) + (result.fresh?.unanswered ?? 0) === 0, 'the check after the run got no answer');
  check(stats.acknowledged > 0, 'no write was acknowledged');
  if (result.crash === undefined) {
    check(result.live !== undefined, 'the check after the run did not run');
    check(shutdown !== undefined && shutdown.handles.length === 0, 'the server left handles open');
    check(shutdown?.exitedByItself === true, 'the server did not exit by itself');
    check(shutdown?.closeError === undefined, 'closing the store failed');
    check(shutdown?.closeMs !== undefined, 'the server did not report after the stop request');
    check((shutdown?.closeMs ?? 0) <= SLOW_CLOSE, `closing the store took longer than ${seconds(SLOW_CLOSE)}`);
  }
  lines.push(`  ${'result'.padEnd(22)}${broken.length === 0 ? 'PASS' : `FAIL: ${[...new Set(broken)].join('; ')}`}`);
  return { lines, broken };
}
