// Rendering of the scale suite: one table of figures at N sessions, and its section of the results file.
import { table } from './table.js';
import type { ScaleResult } from './scale.js';

const int = (n: number | undefined): string => (n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const ms = (n: number | undefined): string => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(2)} ms` : '—');

const CYCLE_LABELS: Record<string, string> = {
  'memory-uniform': 'read cycle, MemoryStore, uniformly random over all',
  'lmdb-hot': 'read cycle, LmdbStore, hot set in the LRU',
  'lmdb-uniform': 'read cycle, LmdbStore, uniformly random over all',
};
const HTTP_LABELS: Record<string, string> = {
  'raw-uws': 'uWS /get, raw uWS (no sessions)',
  'lmdb-hot': 'uWS + sessionkit /get, LmdbStore, hot set in the LRU',
  'lmdb-uniform': 'uWS + sessionkit /get, LmdbStore, uniformly random over all',
};

/** The scale figures, one row each: what, the figure, and how it compares. */
export function scaleTable(result: ScaleResult): string {
  const n = result.sessions.toLocaleString('en-US');
  const rows: string[][] = [];
  const { memory, lmdb, sweep } = result;
  if (memory) {
    rows.push([
      `MemoryStore, ${n} sessions: heap bytes per session`,
      int(memory.heapBytesPerSession),
      `RSS ${int(memory.rssBytesPerSession)} B/session; filled in ${int(memory.fillMs)} ms`,
    ]);
  }
  if (lmdb)
    rows.push([
      `LmdbStore, ${n} sessions: file bytes per session`,
      int(lmdb.bytesPerSession),
      `file ${int(lmdb.fileBytes / 2 ** 20)} MiB; filled in ${int(lmdb.fillMs)} ms`,
    ]);
  for (const c of result.cycle) {
    rows.push([`${CYCLE_LABELS[c.id] ?? c.id} (${c.pool.toLocaleString('en-US')})`, `${int(c.opsPerSec)} ops/s`, `${int(c.nsPerOp)} ns/op`]);
  }
  for (const h of result.http) {
    rows.push([HTTP_LABELS[h.id] ?? h.id, `${int(h.rps)} req/s`, `${h.id === 'raw-uws' ? '' : `${h.ratio.toFixed(2)} x uWS, `}p99 ${ms(h.p99)}`]);
  }
  if (sweep) {
    const share = Math.min(100, (sweep.sweepMs / (sweep.seconds * 1000)) * 100).toFixed(0);
    rows.push([
      `expiry sweep deleting ${sweep.deleted.toLocaleString('en-US')} expired sessions under /get`,
      ms(sweep.sweepMs),
      `wall time of the sweep, ${share}% of its /get run`,
    ]);
    rows.push(['longest write wait during the sweep (write-lock hold bound)', ms(sweep.probeMaxMs), `without the sweep ${ms(sweep.probeMaxBaselineMs)}`]);
    rows.push(['longest event-loop stall during the sweep', ms(sweep.eventLoopMaxMs), `without the sweep ${ms(sweep.eventLoopMaxBaselineMs)}`]);
    rows.push([
      `/get p99 during the sweep (${sweep.seconds} s run)`,
      ms(sweep.get.p99),
      `without the sweep ${ms(sweep.getBaseline.p99)}; ${int(sweep.get.rps)} vs ${int(sweep.getBaseline.rps)} req/s`,
    ]);
  }
  return table(['measure', 'figure', 'detail'], rows);
}

/** The scale section of bench/results/latest.md. */
export function scaleMarkdown(result: ScaleResult, quick: boolean): string[] {
  const n = result.sessions.toLocaleString('en-US');
  const out = [`## Scale: ${n} sessions${quick ? ' (quick mode: 50,000 instead of a million)' : ''}`, ''];
  out.push(
    `Every session holds the quick start's record (\`message\`). Bytes per session: MemoryStore heap (+ external) and RSS growth over ${n} \`store.commit\`s after a full GC, divided by ${n}; LmdbStore data file size / ${n}. ` +
      `Read cycles: load + get, 256 per task, over a hot set of ${result.hot.toLocaleString('en-US')} sessions (fits the LRU tier) or uniformly random over all, from a second process opening the same LMDB path. ` +
      `HTTP: ${result.generator}, 64 connections, each request with a cookie picked at random from the set. ` +
      `Sweep: ${result.expired.toLocaleString('en-US')} sessions that expired are deleted by \`store.sweep()\` while /get runs over all sessions; a probe in the server commits a small session again and again meanwhile, and its longest wait bounds the longest write transaction of the sweep from above; the same run without the sweep is the baseline.`,
    '',
  );
  out.push(scaleTable(result), '');
  if (result.notes.length > 0) out.push(...result.notes.map((note) => `- ${note}`), '');
  return out;
}
