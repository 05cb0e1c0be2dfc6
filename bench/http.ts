// The HTTP suite: the seed scenario against sessionkit and the peers, each measured against its own
// framework's bare server in the same run (see http-method.ts); servers on core 0, load on core 1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  baselineMedians,
  disturbance,
  generatorSaturation,
  type Group,
  MAX_RETRIES,
  planRep,
  type RowSummary,
  SEGMENT_SIZE,
  type Segment,
  type SegmentPlan,
  summarize,
} from './http-method.js';
import { generatorName, hasTaskset, loadGenerator, NO_GENERATOR, pinned, runLoad, type LoadResult } from './load.js';
import { prepareNetworked } from './networked.js';
import { median, sessionCookie, startPeer, stopPeer, type Running } from './peer-process.js';
import { DISK_BOUND_ID, DISK_BOUND_LABEL, PEERS, peerLabel, type Peer } from './peers.js';
import { totalCpuSeconds } from './proc-cpu.js';
import { trackChild } from './run-scope.js';

export const SCENARIOS = [
  { id: 'get', label: 'GET /get with a cookie', path: '/get', cookie: true },
  { id: 'put', label: 'GET /put with a cookie', path: '/put', cookie: true },
  { id: 'put-new', label: 'GET /put without a cookie', path: '/put', cookie: false },
] as const;
export type ScenarioId = (typeof SCENARIOS)[number]['id'];

/** One row and scenario: the row's summary over reps (ratios against `base`). */
export interface HttpFigure extends RowSummary {
  peer: string;
  scenario: ScenarioId;
  /** the bare server of the same framework this row is measured against (none for a bare server) */
  base?: string;
  notes: string[];
}

export interface HttpSuiteResult {
  generator: string;
  /** why nothing was measured (no load generator), or undefined when the suite ran */
  unmeasured?: string;
  pinned: boolean;
  connections: number;
  duration: number;
  reps: number;
  /** times a disturbed segment was measured again (0 with --quick: flagged only) */
  maxRetries: number;
  /** a --quick run: too short to decide a goal */
  quick: boolean;
  figures: HttpFigure[];
  skipped: { peer: string; reason: string }[];
}

export interface HttpSuiteOptions {
  quick: boolean;
  peers?: string[];
  log: (line: string) => void;
}

/** The peers to run (the ones asked for, or all, or the quick ones) plus the baselines they need. */
function selectPeers(wanted: string[] | undefined, quick: boolean): Peer[] {
  const chosen = PEERS.filter((peer) => (wanted === undefined ? !quick || peer.quick : wanted.includes(peer.id)));
  const bases = new Set(chosen.map((p) => p.base).filter((b) => b !== undefined));
  return PEERS.filter((peer) => chosen.includes(peer) || bases.has(peer.id));
}

/** The disk-bound child on the servers' core, for `seconds`. */
function runDiskBound(seconds: number, connections: number): Promise<LoadResult> {
  const file = fileURLToPath(new URL('./disk-bound.ts', import.meta.url));
  const [command, args] = pinned(0, process.execPath, ['--import', 'tsx', file, '--seconds', String(seconds), '--concurrency', String(connections)]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
      else reject(new Error(`disk bound exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export async function runHttpSuite(options: HttpSuiteOptions): Promise<HttpSuiteResult> {
  const { quick, log } = options;
  const connections = 64;
  const duration = quick ? 1 : 4;
  const warmup = quick ? 1 : 2;
  const reps = quick ? 2 : 3;
  const scenarios = quick ? SCENARIOS.filter((s) => s.id !== 'put-new') : SCENARIOS;
  const maxRetries = quick ? 0 : MAX_RETRIES;
  const base = { generator: generatorName(), pinned: hasTaskset, connections, duration, reps, maxRetries, quick, figures: [], skipped: [] };
  if (loadGenerator() === undefined) {
    for (const line of NO_GENERATOR.split('\n')) log(`  ${line}`);
    return { ...base, unmeasured: NO_GENERATOR };
  }
  const selected = selectPeers(options.peers, quick);
  const skipped: { peer: string; reason: string }[] = [];
  const running = new Map<string, Running>();
  const networked = await prepareNetworked(selected);
  const withDiskBound = selected.some((p) => p.id === 'uws-lmdb');
  log(
    `  generator: ${generatorName()}, ${connections} connections, ${duration} s runs, ${reps} reps; each rep: bare server, ${SEGMENT_SIZE} session rows, bare server again; warm-up ${warmup} s per server and scenario`,
  );
  log(`  pinning: ${hasTaskset ? 'servers on core 0, generator on core 1 (taskset)' : 'none (no taskset on this machine)'}`);

  try {
    for (const peer of selected) {
      const env = networked.env(peer);
      try {
        if ('skip' in env) throw new Error(env.skip as string);
        running.set(peer.id, await startPeer(peer, { env }));
        log(`  started ${peer.label}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        skipped.push({ peer: peer.id, reason });
        log(`  skipped ${peer.label}: ${reason}`);
      }
    }
    const notes = new Map<string, Set<string>>();
    const noteFor = (peer: string, scenario: string): Set<string> => {
      const found = notes.get(`${peer} ${scenario}`) ?? new Set<string>();
      notes.set(`${peer} ${scenario}`, found);
      return found;
    };
    const once = async (peer: string, scenario: (typeof SCENARIOS)[number], seconds: number): Promise<LoadResult> => {
      const r = running.get(peer)!;
      const headers: Record<string, string> = {};
      const note = noteFor(peer, scenario.id);
      if (scenario.cookie) {
        const fresh = await sessionCookie(r);
        headers.cookie = fresh.cookie;
        if (fresh.note !== undefined) note.add(fresh.note);
      }
      const pids = r.children.map((child) => child.pid);
      const cpuBefore = totalCpuSeconds(pids);
      const wallBefore = performance.now();
      const result = await runLoad({ url: `http://127.0.0.1:${r.port}${scenario.path}`, headers, connections, duration: seconds });
      const cpuAfter = totalCpuSeconds(pids);
      const cpu = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore;
      const requests = Number.isFinite(result.requests) ? result.requests : result.rps * seconds;
      result.serverUs = (cpu * 1e6) / requests;
      result.serverCpu = cpu / ((performance.now() - wallBefore) / 1000);
      if (result.errors > 0) note.add(`${result.errors} socket errors`);
      if (result.non2xx > 0) note.add(`${result.non2xx} non-2xx responses`);
      return result;
    };
    const show = (rep: number, scenario: string, label: string, result: LoadResult): void =>
      log(
        `  rep ${rep + 1}/${reps} ${scenario.padEnd(26)} ${label.padEnd(56)} ${Math.round(result.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${result.p99.toFixed(2)} ms${Number.isFinite(result.serverUs ?? Number.NaN) ? `  server ${result.serverUs!.toFixed(2)} µs/req, ${Math.round(result.serverCpu! * 100)}% busy` : ''}${Number.isFinite(result.generatorCpu) ? `  generator ${Math.round(result.generatorCpu * 100)}%` : ''}`,
      );
    const measure = async (plan: SegmentPlan, scenario: (typeof SCENARIOS)[number], before?: LoadResult): Promise<Segment> => {
      const first = before ?? (await once(plan.base, scenario, duration));
      if (before === undefined) show(plan.rep, scenario.label, peerLabel(plan.base), first);
      const runs: LoadResult[] = [];
      for (const id of plan.subjects) {
        runs.push(await once(id, scenario, duration));
        show(plan.rep, scenario.label, peerLabel(id), runs.at(-1)!);
      }
      const after = await once(plan.base, scenario, duration);
      show(plan.rep, scenario.label, peerLabel(plan.base), after);
      return { ...plan, before: first, after, runs, retries: 0 };
    };

    const groups: Group[] = [];
    for (const peer of selected) {
      if (!peer.bare || !running.has(peer.id)) continue;
      const subjects = selected.filter((p) => p.base === peer.id && running.has(p.id)).map((p) => p.id);
      groups.push({ base: peer.id, subjects });
    }
    const segments = new Map<ScenarioId, Segment[]>(scenarios.map((s) => [s.id, []]));
    const diskBound: LoadResult[] = [];
    const diskNotes = new Set<string>();
    // One scenario after another, each with its own warm-up: /put without a cookie leaves a new
    // session in the store per request, and run before the others it would make their servers
    // hold hundreds of thousands of sessions (and collect garbage among them) that the bare
    // servers do not.
    for (const [index, scenario] of scenarios.entries()) {
      if (!quick || index === 0) {
        log(`  warming up: ${scenario.label}`);
        for (const id of running.keys()) await once(id, scenario, warmup);
        for (const id of running.keys()) notes.delete(`${id} ${scenario.id}`);
      }
      for (let rep = 0; rep < reps; rep++) {
        let previous: Segment | undefined;
        for (const plan of planRep(groups, rep)) {
          // Consecutive segments of one group share the baseline run between them.
          const shared = previous?.base === plan.base ? previous.after : undefined;
          previous = await measure(plan, scenario, shared);
          segments.get(scenario.id)!.push(previous);
        }
        if (scenario.id === 'put' && withDiskBound) {
          try {
            diskBound.push(await runDiskBound(duration, connections));
            show(rep, scenario.label, DISK_BOUND_LABEL, diskBound.at(-1)!);
          } catch (error) {
            diskNotes.add(error instanceof Error ? error.message : String(error));
          }
        }
      }
    }

    // Disturbed segments (baseline far below its median) are measured again; a saturated generator is noted.
    for (const scenario of scenarios) {
      const list = segments.get(scenario.id)!;
      const medians = baselineMedians(list);
      for (let i = 0; i < list.length; i++) {
        let segment = list[i]!;
        segment.disturbed = disturbance(segment, medians.get(segment.base)!);
        while (segment.disturbed !== undefined && segment.retries < maxRetries) {
          log(`  again: rep ${segment.rep + 1} ${scenario.label}, ${peerLabel(segment.base)} segment (${segment.disturbed})`);
          const again: Segment = { ...(await measure(segment, scenario)), retries: segment.retries + 1 };
          again.disturbed = disturbance(again, medians.get(segment.base)!);
          segment = again;
        }
        segment.generatorBound = generatorSaturation(segment);
        list[i] = segment;
      }
    }

    const figures: HttpFigure[] = [];
    for (const scenario of scenarios) {
      for (const peer of selected) {
        const summary = summarize(segments.get(scenario.id)!, peer.id);
        if (summary === undefined) continue;
        figures.push({
          peer: peer.id,
          scenario: scenario.id,
          ...(peer.base !== undefined ? { base: peer.base } : {}),
          ...summary,
          notes: [...noteFor(peer.id, scenario.id)],
        });
      }
      if (scenario.id === 'put' && diskBound.length > 0) {
        figures.push({
          peer: DISK_BOUND_ID,
          scenario: 'put',
          rps: median(diskBound.map((x) => x.rps)),
          p99: median(diskBound.map((x) => x.p99)),
          ratio: Number.NaN,
          ratioMin: Number.NaN,
          ratioMax: Number.NaN,
          cpuRatio: Number.NaN,
          cpuRatioMin: Number.NaN,
          cpuRatioMax: Number.NaN,
          serverUs: Number.NaN,
          extraUs: Number.NaN,
          runs: diskBound,
          notes: [...diskNotes],
          disturbed: [],
          generatorBound: [],
        });
      }
    }
    return { ...base, figures, skipped };
  } finally {
    await Promise.all([...running.values()].map(stopPeer));
  }
}
