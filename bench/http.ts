// The HTTP suite: the seed scenario against sessionkit and the peers, servers on core 0, load on core 1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generatorName, hasTaskset, pinned, runLoad, type LoadResult } from './load.js';
import { prepareNetworked } from './networked.js';
import { median, sessionCookie, startPeer, stopPeer, type Running } from './peer-process.js';
import { DISK_BOUND_ID, PEERS, type Peer } from './peers.js';

export const SCENARIOS = [
  { id: 'get', label: 'GET /get with a cookie', path: '/get', cookie: true },
  { id: 'put', label: 'GET /put with a cookie', path: '/put', cookie: true },
  { id: 'put-new', label: 'GET /put without a cookie', path: '/put', cookie: false },
] as const;
export type ScenarioId = (typeof SCENARIOS)[number]['id'];

export interface HttpFigure {
  peer: string;
  scenario: ScenarioId;
  /** median over reps */
  rps: number;
  /** median over reps of each run's 99th percentile latency, ms */
  p99: number;
  /** rps / ceiling rps (same scenario, same run) */
  ratio: number;
  runs: LoadResult[];
  notes: string[];
}

export interface HttpSuiteResult {
  generator: string;
  pinned: boolean;
  connections: number;
  duration: number;
  reps: number;
  figures: HttpFigure[];
  skipped: { peer: string; reason: string }[];
}

export interface HttpSuiteOptions {
  quick: boolean;
  peers?: string[];
  log: (line: string) => void;
}

/** The peers to run: all, or the ones asked for plus the ceilings. */
function selectPeers(wanted: string[] | undefined): Peer[] {
  return PEERS.filter((peer) => peer.ceiling || wanted === undefined || wanted.includes(peer.id));
}

/** The disk-bound child on the servers' core, for `seconds`. */
function runDiskBound(seconds: number, connections: number): Promise<LoadResult> {
  const file = fileURLToPath(new URL('./disk-bound.ts', import.meta.url));
  const [command, args] = pinned(0, process.execPath, ['--import', 'tsx', file, '--seconds', String(seconds), '--concurrency', String(connections)]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const duration = quick ? 2 : 4;
  const warmup = quick ? 1 : 2;
  const reps = quick ? 1 : 3;
  const selected = selectPeers(options.peers);
  const skipped: { peer: string; reason: string }[] = [];
  const running: Running[] = [];
  const networked = await prepareNetworked(selected);
  const withDiskBound = selected.some((p) => p.id === 'uws-lmdb');
  log(`  generator: ${generatorName()}, ${connections} connections, ${duration} s x ${reps} interleaved reps, warm-up ${warmup} s per scenario`);
  log(`  pinning: ${hasTaskset ? 'servers on core 0, generator on core 1 (taskset)' : 'none (no taskset on this machine)'}`);

  let port = 4701;
  try {
    for (const peer of selected) {
      const env = networked.env(peer);
      try {
        if ('skip' in env) throw new Error(env.skip as string);
        running.push(await startPeer(peer, port++, { env }));
        log(`  started ${peer.label}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        skipped.push({ peer: peer.id, reason });
        log(`  skipped ${peer.label}: ${reason}`);
      }
    }
    const runs = new Map<string, { results: LoadResult[]; notes: Set<string> }>();
    const key = (peer: string, scenario: string): string => `${peer} ${scenario}`;
    const entry = (peer: string, scenario: string) => {
      const found = runs.get(key(peer, scenario)) ?? { results: [], notes: new Set<string>() };
      runs.set(key(peer, scenario), found);
      return found;
    };

    const once = async (r: Running, scenario: (typeof SCENARIOS)[number], seconds: number): Promise<LoadResult> => {
      const headers: Record<string, string> = {};
      const notes = entry(r.peer.id, scenario.id).notes;
      if (scenario.cookie) {
        const fresh = await sessionCookie(r);
        headers.cookie = fresh.cookie;
        if (fresh.note !== undefined) notes.add(fresh.note);
      }
      const result = await runLoad({ url: `http://127.0.0.1:${r.port}${scenario.path}`, headers, connections, duration: seconds });
      if (result.errors > 0) notes.add(`${result.errors} socket errors`);
      if (result.non2xx > 0) notes.add(`${result.non2xx} non-2xx responses`);
      return result;
    };
    const show = (rep: number, scenario: string, label: string, result: LoadResult): void =>
      log(
        `  rep ${rep + 1}/${reps} ${scenario.padEnd(26)} ${label.padEnd(46)} ${Math.round(result.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${result.p99.toFixed(2)} ms`,
      );

    log('  warming up');
    for (const r of running) {
      for (const scenario of SCENARIOS) await once(r, scenario, warmup);
    }
    // Warm-up notes are dropped with the warm-up runs; the measured runs collect their own.
    runs.clear();
    for (let rep = 0; rep < reps; rep++) {
      for (const scenario of SCENARIOS) {
        // Interleave: each rep visits the servers in a rotated order.
        const order = running.map((_, i) => running[(i + rep) % running.length]!);
        for (const r of order) {
          const result = await once(r, scenario, duration);
          entry(r.peer.id, scenario.id).results.push(result);
          show(rep, scenario.label, r.peer.label, result);
        }
        if (scenario.id === 'put' && withDiskBound) {
          try {
            const result = await runDiskBound(duration, connections);
            entry(DISK_BOUND_ID, 'put').results.push(result);
            show(rep, scenario.label, 'disk bound: lmdb-js puts', result);
          } catch (error) {
            entry(DISK_BOUND_ID, 'put').notes.add(error instanceof Error ? error.message : String(error));
          }
        }
      }
    }

    const figures: HttpFigure[] = [];
    for (const scenario of SCENARIOS) {
      const ceiling = runs.get(key('raw-uws', scenario.id));
      const ceilingRps = ceiling === undefined ? Number.NaN : median(ceiling.results.map((x) => x.rps));
      for (const id of [...running.map((r) => r.peer.id), DISK_BOUND_ID]) {
        const found = runs.get(key(id, scenario.id));
        if (found === undefined || found.results.length === 0) continue;
        const rps = median(found.results.map((x) => x.rps));
        figures.push({
          peer: id,
          scenario: scenario.id,
          rps,
          p99: median(found.results.map((x) => x.p99)),
          ratio: rps / ceilingRps,
          runs: found.results,
          notes: [...found.notes],
        });
      }
    }
    return { generator: generatorName(), pinned: hasTaskset, connections, duration, reps, figures, skipped };
  } finally {
    await Promise.all(running.map(stopPeer));
    await networked.cleanup();
  }
}
