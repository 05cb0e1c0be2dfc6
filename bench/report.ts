// Rendering of results: aligned markdown tables (printed and written), the performance goals, and the HTTP bar chart as SVG.
import { CASE_LABELS, READ_CYCLE_BUDGET } from './cycle-cases.js';
import type { AllocResult, TimeResult } from './cycle-child.js';
import { ALLOC_FLAGS } from './cycle-run.js';
import { SCENARIOS, type HttpFigure, type HttpSuiteResult } from './http.js';
import { DISK_BOUND_ID, peerLabel, tableOrder } from './peers.js';
import { scaleMarkdown } from './report-scale.js';
import type { ScaleResult } from './scale.js';
import { table } from './table.js';

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

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
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
      rows.push([
        s.label,
        t.label + (t.concurrency > 1 ? ` (${t.concurrency} in flight)` : t.async ? ' †' : ''),
        int(t.opsPerSec),
        int(t.nsPerOp),
        `±${fixed(t.rme, 1)}%`,
        bytes,
      ]);
    }
  }
  return table(['store', 'operation', 'ops/s', 'ns/op', 'rme', 'bytes/op'], rows);
}

/** A row's ratio to its baseline: from throughput, or (byCpu) from server CPU per request where the generator saturated. */
export interface TellingRatio {
  value: number;
  min: number;
  max: number;
  byCpu: boolean;
}

/** The ratio that tells for a row (its reps' throughput ratio, unless a rep measured the load generator). */
export function tellingRatio(f: HttpFigure, byCpu = f.generatorBound.length > 0): TellingRatio {
  return byCpu ? { value: f.cpuRatio, min: f.cpuRatioMin, max: f.cpuRatioMax, byCpu } : { value: f.ratio, min: f.ratioMin, max: f.ratioMax, byCpu };
}

const spread = (f: HttpFigure): string => {
  const r = tellingRatio(f);
  return Number.isFinite(r.value)
    ? `${fixed(r.value, 2)} (${fixed(r.min, 2)}–${fixed(r.max, 2)})${r.byCpu ? ' †' : ''}${f.disturbed.length > 0 ? ' ⚠' : ''}`
    : '—';
};

/** The server's CPU time per request, and for a session row what it spent beyond its baseline. */
const cpuCell = (f: HttpFigure): string => (Number.isFinite(f.extraUs) ? `${fixed(f.serverUs, 1)} (+${fixed(f.extraUs, 1)})` : fixed(f.serverUs, 1));

/** Each row against its own framework's bare server: req/s, median per-rep ratio (min–max over reps), p99. */
export function httpTable(result: HttpSuiteResult): string {
  if (result.unmeasured !== undefined) return `HTTP: not measured.\n${result.unmeasured}`;
  const header = ['server', 'compared with'];
  const scenarios = SCENARIOS.filter((s) => result.figures.some((f) => f.scenario === s.id));
  for (const s of scenarios) header.push(`${s.label} req/s`, 'ratio (min–max)', 'CPU µs/req', 'p99 ms');
  const rows: string[][] = [];
  for (const id of tableOrder()) {
    const figures = result.figures.filter((f) => f.peer === id);
    if (figures.length === 0) continue;
    const base = figures[0]!.base;
    const row = [peerLabel(id), base === undefined ? '' : peerLabel(base)];
    for (const s of scenarios) {
      const f = figures.find((x) => x.scenario === s.id);
      row.push(f ? int(f.rps) : '—', f ? spread(f) : '—', f ? cpuCell(f) : '—', f ? fixed(f.p99, 2) : '—');
    }
    rows.push(row);
  }
  return table(header, rows);
}

const figure = (result: HttpSuiteResult | undefined, peer: string, scenario: string): HttpFigure | undefined =>
  result?.figures.find((f) => f.peer === peer && f.scenario === scenario);

/** Ratios of medians within the run: /put on LmdbStore to the disk bound, the shared path to one process. */
export function relativeTable(result: HttpSuiteResult): string {
  const rows: string[][] = [];
  const pair = (label: string, peer: string, base: string, scenarios: readonly string[], unit: string): void => {
    for (const scenario of scenarios) {
      const a = figure(result, peer, scenario);
      const b = figure(result, base, scenario);
      if (a === undefined || b === undefined) continue;
      rows.push([label, SCENARIOS.find((s) => s.id === scenario)!.label, int(a.rps), int(b.rps), `${fixed(a.rps / b.rps, 2)} ${unit}`]);
    }
  };
  pair(peerLabel('uws-lmdb'), 'uws-lmdb', DISK_BOUND_ID, ['put'], 'x disk bound');
  pair(peerLabel('uws-lmdb-x2'), 'uws-lmdb-x2', 'uws-lmdb', ['get', 'put'], 'x one process');
  pair(peerLabel('fastify-sessionkit'), 'fastify-sessionkit', 'fastify', ['get', 'put'], 'x @fastify/session');
  pair(peerLabel('express-sessionkit'), 'express-sessionkit', 'express', ['get', 'put'], 'x express-session');
  return rows.length === 0 ? '' : table(['server', 'scenario', 'req/s', 'compared with, req/s', 'ratio of medians'], rows);
}

export function httpNotes(result: HttpSuiteResult): string[] {
  const notes: string[] = [];
  for (const f of result.figures) {
    const scenario = SCENARIOS.find((s) => s.id === f.scenario)?.label ?? f.scenario;
    if (f.notes.length > 0) notes.push(`${peerLabel(f.peer)}, ${scenario}: ${f.notes.join('; ')}`);
  }
  for (const f of result.figures) {
    const scenario = SCENARIOS.find((s) => s.id === f.scenario)?.label ?? f.scenario;
    if (f.disturbed.length > 0)
      notes.push(
        `⚠ ${peerLabel(f.peer)}, ${scenario}: disturbed${result.maxRetries > 0 ? ` after ${result.maxRetries} more runs` : ' (--quick measures nothing again)'} (${f.disturbed.join('; ')})`,
      );
  }
  for (const f of result.figures) {
    const scenario = SCENARIOS.find((s) => s.id === f.scenario)?.label ?? f.scenario;
    if (f.generatorBound.length > 0 && f.base !== undefined)
      notes.push(`† ${peerLabel(f.peer)}, ${scenario}: ratio from server CPU per request (${f.generatorBound.join('; ')})`);
  }
  for (const s of result.skipped) notes.push(`${peerLabel(s.peer)} not run: ${s.reason}`);
  return notes;
}

/** A ratio goal: met only on a clean full measurement (every rep undisturbed, generator never saturated, not --quick). */
function ratioTarget(
  name: string,
  goal: string,
  http: HttpSuiteResult | undefined,
  value: number | undefined,
  min: number,
  figures: (HttpFigure | undefined)[],
  byCpu = figures.some((f) => f !== undefined && f.generatorBound.length > 0),
): Target {
  if (http?.unmeasured !== undefined) return { name, goal, measured: 'not measured (no wrk)', met: undefined };
  if (value === undefined || figures.some((f) => f === undefined)) return { name, goal, measured: 'not run', met: undefined };
  const disturbed = figures.some((f) => f!.disturbed.length > 0);
  const why = disturbed ? ' (disturbed: not counted)' : http?.quick ? ' (--quick: not counted)' : '';
  const how = byCpu ? ' † server CPU' : '';
  return { name, goal, measured: `${value.toFixed(2)}${how}${why}`, met: why !== '' ? undefined : value >= min };
}

/** The adapters' goals: each against its own framework's bare server. */
const ADAPTER_GOALS = [
  ['node:http + sessionkit', 'node-memory'],
  ['Fastify + sessionkit', 'fastify-sessionkit'],
  ['Hono + sessionkit', 'hono-sessionkit'],
  ['Express 5 + sessionkit', 'express-sessionkit'],
] as const;

export function targets(cycle: CycleSuiteResult | undefined, http: HttpSuiteResult | undefined): Target[] {
  const out: Target[] = [];
  const fig = (peer: string, scenario: string) => http?.figures.find((f) => f.peer === peer && f.scenario === scenario);
  const ratio = (name: string, peer: string, scenario: string, goal: number, of: string): void => {
    const f = fig(peer, scenario);
    out.push(ratioTarget(name, `≥ ${goal.toFixed(2)} of ${of}`, http, f && tellingRatio(f).value, goal, [f]));
  };
  ratio('uWS + sessionkit /get, MemoryStore', 'uws-memory', 'get', 0.95, 'bare uWS');
  ratio('uWS + sessionkit /get, LmdbStore, one process', 'uws-lmdb', 'get', 0.9, 'bare uWS');
  ratio('uWS + sessionkit /get, LmdbStore (shared: false), one process', 'uws-lmdb-single', 'get', 0.9, 'bare uWS');
  ratio('uWS + sessionkit /put, MemoryStore', 'uws-memory', 'put', 0.8, 'bare uWS');
  /** `peer`'s ratio over `other`'s, both against bare uWS in the same reps. */
  const relative = (name: string, peer: string, other: string, scenario: string, goal: number, of: string): void => {
    const [mine, theirs] = [fig(peer, scenario), fig(other, scenario)];
    const byCpu = mine !== undefined && theirs !== undefined && mine.generatorBound.length + theirs.generatorBound.length > 0;
    const value = mine && theirs ? tellingRatio(mine, byCpu).value / tellingRatio(theirs, byCpu).value : undefined;
    out.push(ratioTarget(name, `≥ ${goal.toFixed(2)} of ${of}`, http, value, goal, [mine, theirs]));
  };
  relative('uWS + sessionkit /get, RedisStore near cache', 'uws-redis-near', 'uws-memory', 'get', 0.8, 'uWS + MemoryStore');
  relative('uWS + sessionkit /put, RedisStore near cache', 'uws-redis-near', 'uws-redis', 'put', 0.95, 'plain RedisStore');
  for (const [label, peer] of ADAPTER_GOALS) {
    ratio(`${label} /get`, peer, 'get', 0.9, 'the bare framework');
    ratio(`${label} /put`, peer, 'put', 0.8, 'the bare framework');
  }
  const lmdbPut = fig('uws-lmdb', 'put');
  const bound = fig(DISK_BOUND_ID, 'put');
  out.push(
    ratioTarget(
      'uWS + sessionkit /put, LmdbStore',
      '≥ 0.90 of the disk bound',
      http,
      lmdbPut && bound ? lmdbPut.rps / bound.rps : undefined,
      0.9,
      [lmdbPut, bound],
      false,
    ),
  );
  const ours = fig('uws-memory', 'get');
  const express = fig('express', 'get');
  const versus = ratioTarget(
    'uWS + sessionkit /get vs express-session /get',
    '≥ 25x',
    http,
    ours && express ? ours.rps / express.rps : undefined,
    25,
    [ours, express],
    false,
  );
  out.push({ ...versus, measured: versus.measured.replace(/^(\d+\.\d+)/, '$1x') });
  const memory = cycle?.subjects.find((s) => s.subject === 'memory');
  const read = memory?.alloc?.find((a) => a.id === 'read');
  out.push({
    name: 'read cycle allocation, MemoryStore',
    goal: `≤ ${READ_CYCLE_BUDGET} B/op`,
    measured: read ? `${Math.round(read.bytesPerOp)} B/op` : 'not run',
    met: read ? read.bytesPerOp <= READ_CYCLE_BUDGET && read.gcs === 0 : undefined,
  });
  const write = memory?.alloc?.find((a) => a.id === 'write');
  const allowance = 1024 + (cycle?.encodedRecordBytes ?? 0);
  out.push({
    name: 'write cycle allocation, MemoryStore',
    goal: `≤ 1 KiB + record (${cycle?.encodedRecordBytes ?? '?'} B) = ${allowance} B/op`,
    measured: write ? `${Math.round(write.bytesPerOp)} B/op` : 'not run',
    met: write ? write.bytesPerOp <= allowance && write.gcs === 0 : undefined,
  });
  // Merging when nothing conflicts: the write cycle over 64 sessions, with commitIf and without.
  for (const subject of cycle?.subjects ?? []) {
    const merged = subject.time?.find((t) => t.id === 'write-spread');
    const overwritten = subject.time?.find((t) => t.id === 'write-spread-lww');
    if (merged === undefined || overwritten === undefined) continue;
    const cost = merged.nsPerOp / overwritten.nsPerOp - 1;
    out.push({
      name: `merge-on-commit cost, uncontended, ${subject.label}`,
      goal: '≤ 5% over merge off',
      measured: `${cost >= 0 ? '+' : ''}${(cost * 100).toFixed(1)}% (±${Math.max(merged.rme, overwritten.rme).toFixed(1)}%)`,
      met: cost <= 0.05,
    });
  }
  return out;
}

/** sessionkit's performance goals, checked against a run. */
export function targetTable(list: Target[]): string {
  return table(
    ['measure', 'goal', 'measured', 'met'],
    list.map((t) => [t.name, t.goal, t.measured, t.met === undefined ? 'not checked' : t.met ? 'yes' : 'no']),
  );
}

export interface ResultsInput {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; kernel: string; node: string };
  cycle: CycleSuiteResult | undefined;
  http: HttpSuiteResult | undefined;
  scale: ScaleResult | undefined;
  checks: Target[];
  /** The load generator and CPU pinning of the machine that ran the suites. */
  generator: { name: string; taskset: boolean };
}

/** The results file, bench/results/latest.md. */
export function resultsMarkdown({ date, quick, machine, cycle, http, scale, checks, generator }: ResultsInput): string {
  const out: string[] = ['# sessionkit benchmark results', ''];
  out.push(
    `${date}${quick ? ' (quick mode)' : ''} — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}.`,
    '',
  );
  if (http?.unmeasured !== undefined) {
    out.push(
      "## HTTP, the quick start's /get and /put",
      '',
      'Not measured on this machine.',
      '',
      ...http.unmeasured.split('\n').map((line) => `- ${line}`),
      '',
    );
  } else if (http) {
    out.push("## HTTP, the quick start's /get and /put", '');
    out.push('`/put` stores a message in the session, `/get` reads it back.', '');
    out.push(
      `Load: ${http.generator}, ${http.connections} connections, ${http.duration} s per run, ${http.reps} reps after a warm-up; ${http.pinned ? 'server pinned to core 0 and load generator to core 1 with taskset' : 'no CPU pinning (taskset missing)'}. ` +
        'Each row is measured against the bare server of its own framework ("compared with"): every rep runs that bare server, then at most two session rows, then the bare server again, and a row\'s per-rep ratio is its req/s over the mean of the two bare runs around it. ' +
        '"ratio" is the median of the per-rep ratios, with their min–max. "CPU µs/req" is the server process\'s own CPU time (user + system, from /proc) per request served, median over reps, and in brackets what a session row spent beyond its bare server (a store server\'s CPU, such as Redis\'s, is not in it). ' +
        "A rep whose bare run fell below 0.8x of that server's median is measured again (twice at most); ⚠ marks a row still disturbed after that, and no goal counts as met on it. " +
        "Where the load generator saturated its own core (a bare server faster than one wrk thread can load), throughput measured the generator, and measuring again would saturate it again: † marks a ratio taken instead from CPU time per request (bare over row) in the same reps. The bare server ran below full load there, which raises its CPU per request a little, so a † ratio leans in the session row's favour.",
      '',
    );
    out.push(httpTable(http), '');
    const ran = (id: string): boolean => http.figures.some((f) => f.peer === id);
    if (ran(DISK_BOUND_ID))
      out.push(
        `The disk bound is not a server: plain lmdb-js \`put\`s of the record LmdbStore writes for \`/put\`, ${http.connections} awaited in flight, lmdb-js defaults (LmdbStore's default durability), in a process on the servers' core, in the same run; its p99 is one \`put\`'s latency.`,
        '',
      );
    if (ran('uws-lmdb-x2'))
      out.push(
        `The LmdbStore row with 2 processes runs two servers on one port (uWS listens with SO_REUSEPORT) sharing one LmdbStore path${http.pinned ? ', both on core 0' : ''}.`,
        '',
      );
    const relative = relativeTable(http);
    if (relative !== '') out.push('### Ratios of medians within the run', '', relative, '');
    const notes = httpNotes(http);
    if (notes.length > 0) out.push(...notes.map((n) => `- ${n}`), '');
    out.push('![HTTP results](http.svg)', '');
  }
  if (cycle) {
    out.push('## Session cycle, in-process', '');
    out.push(
      `tinybench; sync operations batched 256 per sample; async ones run 64 in flight per sample (as 64 connections would), except † (awaited one after another). ns/op is wall time per op, so for in-flight ops it is the inverse of throughput. bytes/op: heap growth over N ops (1,000 for an async op; for a sync op as many as allocate about 24 MB, 20,000 to 200,000) in a child run with ${ALLOC_FLAGS.join(' ')} after a warm-up, the least of 3 runs (JIT compilation only ever adds), with a PerformanceObserver confirming no GC ran ("GC!" marks a figure where one did). Encoded record: ${cycle.encodedRecordBytes} bytes.`,
      '',
    );
    out.push(cycleTable(cycle), '');
    out.push(`Operations: ${Object.values(CASE_LABELS).join('; ')}.`, '');
  }
  if (scale) out.push(...scaleMarkdown(scale, quick));
  out.push('## Performance goals', '', "sessionkit's own goals, checked against this run.", '', targetTable(checks), '');
  out.push(`Load generator on this machine: ${generator.name}; CPU pinning with taskset: ${generator.taskset ? 'yes' : 'no'}.`, '');
  return out.join('\n');
}
