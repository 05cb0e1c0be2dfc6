// Rendering of results: aligned markdown tables (printed and written), the performance goals, and the HTTP bar chart as SVG.
import { CASE_LABELS } from './cycle-cases.js';
import type { AllocResult, TimeResult } from './cycle-child.js';
import { PEERS, SCENARIOS, type HttpSuiteResult } from './http.js';

export interface CycleSubject {
  subject: string;
  label: string;
  time?: TimeResult[];
  alloc?: AllocResult[];
  allocBaseline?: number;
  skip?: string;
  error?: string;
}

export interface CycleSuiteResult {
  subjects: CycleSubject[];
  encodedRecordBytes: number;
}

/** Node flags of the allocation runs: a young generation big enough that the measured ops never trigger a scavenge (checked by the child). */
export const ALLOC_FLAGS = ['--expose-gc', '--max-semi-space-size=256', '--min-semi-space-size=256'];

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/** A markdown table whose columns are padded so it reads as well in a terminal. Numeric columns align right. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,x×%~ —±]*$/.test(r[i] ?? '') ));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export function cycleTable(result: CycleSuiteResult): string {
  const rows: string[][] = [];
  for (const s of result.subjects) {
    if (s.skip !== undefined || s.error !== undefined) {
      rows.push([s.label, `skipped: ${s.skip ?? s.error}`, '', '', '', '']);
      continue;
    }
    for (const t of s.time ?? []) {
      const a = s.alloc?.find((x) => x.id === t.id);
      const bytes = a === undefined ? '—' : a.gcs > 0 ? `${int(a.bytesPerOp)} (${a.gcs} GC!)` : int(a.bytesPerOp);
      rows.push([s.label, t.label + (t.concurrency > 1 ? ` (${t.concurrency} in flight)` : t.async ? ' †' : ''), int(t.opsPerSec), int(t.nsPerOp), `±${fixed(t.rme, 1)}%`, bytes]);
    }
  }
  return table(['store', 'operation', 'ops/s', 'ns/op', 'rme', 'bytes/op'], rows);
}

export function httpTable(result: HttpSuiteResult): string {
  const header = ['server'];
  for (const s of SCENARIOS) header.push(`${s.label} req/s`, 'x uWS', 'p99 ms');
  const rows: string[][] = [];
  for (const peer of PEERS) {
    const figures = result.figures.filter((f) => f.peer === peer.id);
    if (figures.length === 0) continue;
    const row = [peer.label];
    for (const s of SCENARIOS) {
      const f = figures.find((x) => x.scenario === s.id);
      row.push(f ? int(f.rps) : '—', f ? fixed(f.ratio, 2) : '—', f ? fixed(f.p99, 2) : '—');
    }
    rows.push(row);
  }
  return table(header, rows);
}

const peerLabel = (id: string): string => PEERS.find((p) => p.id === id)?.label ?? id;

export function httpNotes(result: HttpSuiteResult): string[] {
  const notes: string[] = [];
  for (const f of result.figures) {
    const scenario = SCENARIOS.find((s) => s.id === f.scenario)?.label ?? f.scenario;
    if (f.notes.length > 0) notes.push(`${peerLabel(f.peer)}, ${scenario}: ${f.notes.join('; ')}`);
  }
  for (const s of result.skipped) notes.push(`${peerLabel(s.peer)} not run: ${s.reason}`);
  return notes;
}

export function targets(cycle: CycleSuiteResult | undefined, http: HttpSuiteResult | undefined): Target[] {
  const out: Target[] = [];
  const fig = (peer: string, scenario: string) => http?.figures.find((f) => f.peer === peer && f.scenario === scenario);
  const ratio = (name: string, peer: string, scenario: string, goal: number): void => {
    const f = fig(peer, scenario);
    out.push({ name, goal: `≥ ${goal.toFixed(2)} of raw uWS`, measured: f ? f.ratio.toFixed(2) : 'not run', met: f ? f.ratio >= goal : undefined });
  };
  ratio('uWS + sessionkit /get, MemoryStore', 'uws-memory', 'get', 0.8);
  ratio('uWS + sessionkit /get, LmdbStore', 'uws-lmdb', 'get', 0.7);
  ratio('uWS + sessionkit /put, MemoryStore', 'uws-memory', 'put', 0.65);
  ratio('uWS + sessionkit /put, LmdbStore', 'uws-lmdb', 'put', 0.5);
  const ours = fig('uws-memory', 'get');
  const express = fig('express', 'get');
  out.push({
    name: 'uWS + sessionkit /get vs express-session /get',
    goal: '≥ 25x',
    measured: ours && express ? `${(ours.rps / express.rps).toFixed(1)}x` : 'not run',
    met: ours && express ? ours.rps / express.rps >= 25 : undefined,
  });
  const memory = cycle?.subjects.find((s) => s.subject === 'memory');
  const read = memory?.alloc?.find((a) => a.id === 'read');
  out.push({
    name: 'read cycle allocation, MemoryStore',
    goal: '≤ 200 B/op',
    measured: read ? `${Math.round(read.bytesPerOp)} B/op` : 'not run',
    met: read ? read.bytesPerOp <= 200 && read.gcs === 0 : undefined,
  });
  const write = memory?.alloc?.find((a) => a.id === 'write');
  const allowance = 1024 + (cycle?.encodedRecordBytes ?? 0);
  out.push({
    name: 'write cycle allocation, MemoryStore',
    goal: `≤ 1 KiB + record (${cycle?.encodedRecordBytes ?? '?'} B) = ${allowance} B/op`,
    measured: write ? `${Math.round(write.bytesPerOp)} B/op` : 'not run',
    met: write ? write.bytesPerOp <= allowance && write.gcs === 0 : undefined,
  });
  return out;
}

/** sessionkit's performance goals, checked against a run. */
export function targetTable(list: Target[]): string {
  return table(
    ['measure', 'goal', 'measured', 'met'],
    list.map((t) => [t.name, t.goal, t.measured, t.met === undefined ? 'not run' : t.met ? 'yes' : 'no']),
  );
}

export interface ResultsInput {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; kernel: string; node: string };
  cycle: CycleSuiteResult | undefined;
  http: HttpSuiteResult | undefined;
  checks: Target[];
  /** The load generator and CPU pinning of the machine that ran the suites. */
  generator: { name: string; taskset: boolean };
}

/** The results file, bench/results/latest.md. */
export function resultsMarkdown({ date, quick, machine, cycle, http, checks, generator }: ResultsInput): string {
  const out: string[] = ['# sessionkit benchmark results', ''];
  out.push(`${date}${quick ? ' (quick mode)' : ''} — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}.`, '');
  if (http) {
    out.push('## HTTP, seed scenario', '');
    out.push('`/put` stores a message in the session, `/get` reads it back.', '');
    out.push(`Load: ${http.generator}, ${http.connections} connections, ${http.duration} s per run, median of ${http.reps} interleaved runs after a warm-up; ${http.pinned ? 'server pinned to core 0 and load generator to core 1 with taskset' : 'no CPU pinning (taskset missing)'}. "x uWS" is the ratio to raw uWS (no sessions) in the same run.`, '');
    out.push(httpTable(http), '');
    const notes = httpNotes(http);
    if (notes.length > 0) out.push(...notes.map((n) => `- ${n}`), '');
    out.push('![HTTP results](http.svg)', '');
  }
  if (cycle) {
    out.push('## Session cycle, in-process', '');
    out.push(`tinybench; sync operations batched 256 per sample; async ones run 64 in flight per sample (as 64 connections would), except † (awaited one after another). ns/op is wall time per op, so for in-flight ops it is the inverse of throughput. bytes/op: heap growth over N ops in a child run with ${ALLOC_FLAGS.join(' ')} after a warm-up, with a PerformanceObserver confirming no GC ran ("GC!" marks a figure where one did). Encoded record: ${cycle.encodedRecordBytes} bytes.`, '');
    out.push(cycleTable(cycle), '');
    out.push(`Operations: ${Object.values(CASE_LABELS).join('; ')}.`, '');
  }
  out.push('## Performance goals', '', "sessionkit's own goals, checked against this run.", '', targetTable(checks), '');
  out.push(`Load generator on this machine: ${generator.name}; CPU pinning with taskset: ${generator.taskset ? 'yes' : 'no'}.`, '');
  return out.join('\n');
}

const COLORS: Record<string, string> = {
  'raw-uws': '#9e9e9e',
  'uws-memory': '#1565c0',
  'uws-lmdb': '#42a5f5',
  'node-memory': '#00897b',
  'hyper-express': '#8e24aa',
  fastify: '#ef6c00',
  express: '#c62828',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Horizontal grouped bars: one group per scenario, one bar per server, labelled with req/s and the ratio to raw uWS. */
export function httpSvg(result: HttpSuiteResult, caption: string): string {
  const width = 960;
  const labelWidth = 330;
  const barArea = width - labelWidth - 150;
  const barHeight = 18;
  const gap = 5;
  const groupGap = 22;
  const max = Math.max(1, ...result.figures.map((f) => f.rps));
  const parts: string[] = [];
  let y = 58;
  for (const scenario of SCENARIOS) {
    const figures = PEERS.map((p) => result.figures.find((f) => f.peer === p.id && f.scenario === scenario.id)).filter((f) => f !== undefined);
    if (figures.length === 0) continue;
    parts.push(`<text x="12" y="${y}" font-weight="bold" font-size="14">${escape(scenario.label)}</text>`);
    y += 10;
    for (const f of figures) {
      const peer = PEERS.find((p) => p.id === f.peer)!;
      const w = Math.max(1, (f.rps / max) * barArea);
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 5}" text-anchor="end" font-size="12">${escape(peer.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" rx="2" fill="${COLORS[peer.id] ?? '#607d8b'}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + barHeight - 5}" font-size="12">${Math.round(f.rps).toLocaleString('en-US')} req/s${peer.ceiling ? '' : ` (${f.ratio.toFixed(2)}x)`}</text>`,
      );
      y += barHeight + gap;
    }
    y += groupGap;
  }
  const height = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">sessionkit HTTP benchmark: requests per second (higher is better)</text>`,
    `<text x="12" y="42" font-size="11" fill="#555">${escape(caption)}</text>`,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}
