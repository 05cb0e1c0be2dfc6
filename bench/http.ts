// The HTTP suite: the seed scenario against sessionkit and the peers, servers on core 0, load on core 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorName, hasTaskset, pinned, runLoad, type LoadResult } from './load.js';

export interface Peer {
  id: string;
  label: string;
  file: string;
  env?: Record<string, string>;
  /** the ceiling every ratio is taken against */
  ceiling?: boolean;
  /** a server without sessions: its requests carry a placeholder cookie */
  bare?: boolean;
}

export const PEERS: Peer[] = [
  { id: 'raw-uws', label: 'raw uWS, no sessions (ceiling)', file: 'raw-uws.mjs', ceiling: true, bare: true },
  { id: 'uws-memory', label: 'uWS + sessionkit (MemoryStore)', file: 'uws-sessionkit.ts', env: { STORE: 'memory' } },
  { id: 'uws-lmdb', label: 'uWS + sessionkit (LmdbStore)', file: 'uws-sessionkit.ts', env: { STORE: 'lmdb' } },
  { id: 'raw-node', label: 'raw node:http, no sessions', file: 'raw-node.mjs', bare: true },
  { id: 'node-memory', label: 'node:http + sessionkit (MemoryStore)', file: 'node-sessionkit.ts' },
  { id: 'hyper-express', label: 'hyper-express + hyper-express-session (Map)', file: 'hyper-express.mjs' },
  { id: 'fastify', label: 'fastify + @fastify/session (memory)', file: 'fastify.mjs' },
  { id: 'express', label: 'express + express-session (MemoryStore)', file: 'express.mjs' },
];

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

const FAKE_COOKIE = 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const MESSAGE = 'Hello from a session!';

interface Running {
  peer: Peer;
  port: number;
  child: ChildProcess;
  dataDir: string;
}

function startPeer(peer: Peer, port: number): Promise<Running> {
  const file = fileURLToPath(new URL(`./peers/${peer.file}`, import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), `sessionkit-bench-${peer.id}-`));
  const nodeArgs = peer.file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
  const [command, args] = pinned(0, process.execPath, nodeArgs);
  const child = spawn(command, args, {
    env: { ...process.env, ...peer.env, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`did not print "ready" within 20 s${err ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    }, 20_000);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve({ peer, port, child, dataDir });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}${err ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    });
  });
}

function stopPeer(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null) return resolve();
    running.child.once('exit', () => {
      rmSync(running.dataDir, { recursive: true, force: true });
      resolve();
    });
    running.child.kill('SIGTERM');
    setTimeout(() => running.child.kill('SIGKILL'), 3000).unref();
  });
}

function get(port: number, path: string, cookie?: string): Promise<{ status: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A fresh session cookie from the peer: a /put, its Set-Cookie reduced to `name=value`, checked with a /get. */
async function sessionCookie(running: Running): Promise<{ cookie: string; note?: string }> {
  if (running.peer.bare) return { cookie: FAKE_COOKIE };
  const put = await get(running.port, '/put');
  const pair = put.setCookie[0]?.split(';')[0];
  if (pair === undefined) return { cookie: FAKE_COOKIE, note: 'no session cookie from /put: requests ran without a session' };
  const check = await get(running.port, '/get', pair);
  if (check.body !== MESSAGE) return { cookie: pair, note: `the session lost its value: /get answered "${check.body.slice(0, 40)}"` };
  return { cookie: pair };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runHttpSuite(options: HttpSuiteOptions): Promise<HttpSuiteResult> {
  const { quick, log } = options;
  const connections = 64;
  const duration = quick ? 2 : 4;
  const warmup = quick ? 1 : 2;
  const reps = quick ? 1 : 3;
  const selected = PEERS.filter((p) => p.ceiling || options.peers === undefined || options.peers.includes(p.id));
  const skipped: { peer: string; reason: string }[] = [];
  const running: Running[] = [];
  log(`  generator: ${generatorName()}, ${connections} connections, ${duration} s x ${reps} interleaved reps, warm-up ${warmup} s per scenario`);
  log(`  pinning: ${hasTaskset ? 'servers on core 0, generator on core 1 (taskset)' : 'none (no taskset on this machine)'}`);

  let port = 4701;
  try {
    for (const peer of selected) {
      try {
        running.push(await startPeer(peer, port++));
        log(`  started ${peer.label}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        skipped.push({ peer: peer.id, reason });
        log(`  skipped ${peer.label}: ${reason}`);
      }
    }
    const runs = new Map<string, { results: LoadResult[]; notes: Set<string> }>();
    const key = (peer: string, scenario: string): string => `${peer} ${scenario}`;

    const once = async (r: Running, scenario: (typeof SCENARIOS)[number], seconds: number): Promise<LoadResult> => {
      const headers: Record<string, string> = {};
      let note: string | undefined;
      if (scenario.cookie) {
        const fresh = await sessionCookie(r);
        headers.cookie = fresh.cookie;
        note = fresh.note;
      }
      const result = await runLoad({ url: `http://127.0.0.1:${r.port}${scenario.path}`, headers, connections, duration: seconds });
      const entry = runs.get(key(r.peer.id, scenario.id)) ?? { results: [], notes: new Set<string>() };
      if (note !== undefined) entry.notes.add(note);
      if (result.errors > 0) entry.notes.add(`${result.errors} socket errors`);
      if (result.non2xx > 0) entry.notes.add(`${result.non2xx} non-2xx responses`);
      runs.set(key(r.peer.id, scenario.id), entry);
      return result;
    };

    log('  warming up');
    for (const r of running) {
      for (const scenario of SCENARIOS) await once(r, scenario, warmup);
      runs.clear();
    }
    // Warm-up notes are dropped with the warm-up runs; the measured runs collect their own.
    for (let rep = 0; rep < reps; rep++) {
      for (const scenario of SCENARIOS) {
        // Interleave: each rep visits the servers in a rotated order.
        const order = running.map((_, i) => running[(i + rep) % running.length]!);
        for (const r of order) {
          const result = await once(r, scenario, duration);
          runs.get(key(r.peer.id, scenario.id))!.results.push(result);
          log(`  rep ${rep + 1}/${reps} ${scenario.label.padEnd(26)} ${r.peer.label.padEnd(46)} ${Math.round(result.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${result.p99.toFixed(2)} ms`);
        }
      }
    }

    const figures: HttpFigure[] = [];
    for (const scenario of SCENARIOS) {
      const ceiling = runs.get(key('raw-uws', scenario.id));
      const ceilingRps = ceiling === undefined ? Number.NaN : median(ceiling.results.map((x) => x.rps));
      for (const r of running) {
        const entry = runs.get(key(r.peer.id, scenario.id));
        if (entry === undefined || entry.results.length === 0) continue;
        const rps = median(entry.results.map((x) => x.rps));
        figures.push({
          peer: r.peer.id,
          scenario: scenario.id,
          rps,
          p99: median(entry.results.map((x) => x.p99)),
          ratio: rps / ceilingRps,
          runs: entry.results,
          notes: [...entry.notes],
        });
      }
    }
    return { generator: generatorName(), pinned: hasTaskset, connections, duration, reps, figures, skipped };
  } finally {
    await Promise.all(running.map(stopPeer));
  }
}
