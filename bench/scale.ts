// The scale suite: a million sessions (50 000 with --quick) — bytes per session, reads over a big store, the expiry sweep.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorName, loadGenerator, runLoad, type LoadResult } from './load.js';
import { FAKE_COOKIE, get, median, startPeer, stopPeer, type Running } from './peer-process.js';
import { PEERS, type Peer } from './peers.js';
import { trackChild } from './run-scope.js';
import type { MemoryFigure, ReadCycleFigure } from './scale-child.js';

export interface ScaleHttpFigure {
  id: 'raw-uws' | 'lmdb-hot' | 'lmdb-uniform';
  rps: number;
  p99: number;
  /** rps / raw uWS rps, same run */
  ratio: number;
  runs: LoadResult[];
}

export interface SweepFigure {
  /** sessions the sweep deleted, and its wall time */
  deleted: number;
  sweepMs: number;
  /** probe writes (one small commit after another) during the sweep: the longest bounds the write-lock hold */
  probeMaxMs: number;
  probeMaxBaselineMs: number;
  eventLoopMaxMs: number;
  eventLoopMaxBaselineMs: number;
  /** /get, uniformly random sessions, during the run holding the sweep, and during a run without it */
  get: LoadResult;
  getBaseline: LoadResult;
  /** seconds of each /get run */
  seconds: number;
}

export interface ScaleResult {
  sessions: number;
  expired: number;
  hot: number;
  generator: string;
  memory?: MemoryFigure;
  lmdb?: { fillMs: number; fileBytes: number; bytesPerSession: number };
  cycle: ReadCycleFigure[];
  http: ScaleHttpFigure[];
  sweep?: SweepFigure;
  notes: string[];
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

function runChild<T>(args: string[], nodeFlags: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', here('./scale-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice('@@RESULT '.length)) as T);
      else reject(new Error(`scale child exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ProbeResult {
  deleted: number;
  sweepMs: number;
  probeMaxMs: number;
  eventLoopMaxMs: number;
}

/** A /get load over all sessions with the peer's probe writes (and, with `sweep`, the sweep) started 300 ms in. */
async function sweepRun(r: Running, cookies: string, seconds: number, sweep: boolean): Promise<{ load: LoadResult; probe: ProbeResult }> {
  const url = `http://127.0.0.1:${r.port}/get`;
  const loading = runLoad({ url, headers: {}, connections: 64, duration: seconds, cookies });
  await sleep(300);
  await get(r.port, `/__measure?sweep=${sweep ? 1 : 0}&ms=${Math.max(100, seconds * 1000 - 600)}`);
  const load = await loading;
  for (;;) {
    const answer = await get(r.port, '/__result');
    if (answer.status === 200) return { load, probe: JSON.parse(answer.body) as ProbeResult };
    await sleep(200);
  }
}

export async function runScaleSuite({ quick, log }: { quick: boolean; log: (line: string) => void }): Promise<ScaleResult> {
  const sessions = quick ? 50_000 : 1_000_000;
  const expired = sessions / 10;
  const hot = 1000;
  const duration = quick ? 2 : 4;
  const reps = quick ? 1 : 3;
  const result: ScaleResult = { sessions, expired, hot, generator: generatorName(), cycle: [], http: [], notes: [] };
  const fail = (what: string, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    result.notes.push(`${what} failed: ${message}`);
    log(`  ${what} failed: ${message}`);
  };
  const count = sessions.toLocaleString('en-US');

  log(`  MemoryStore with ${count} sessions`);
  try {
    const memory = await runChild<{ memory: MemoryFigure; cycle: ReadCycleFigure[] }>(
      ['--memory', String(sessions), ...(quick ? ['--quick'] : [])],
      ['--expose-gc'],
    );
    result.memory = memory.memory;
    result.cycle.push(...memory.cycle);
  } catch (error) {
    fail('MemoryStore fill', error);
  }

  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-bench-scale-'));
  mkdirSync(join(dir, 'data'));
  const cookies = join(dir, 'cookies.txt');
  const hotCookies = join(dir, 'hot.txt');
  const running: Running[] = [];
  try {
    const raw = PEERS.find((p) => p.id === 'raw-uws')!;
    const scalePeer: Peer = { id: 'uws-lmdb-scale', label: `uWS + sessionkit (LmdbStore, ${count} sessions)`, file: 'uws-scale.ts' };
    log(`  filling LmdbStore with ${count} sessions (+ ${expired.toLocaleString('en-US')} about to expire)`);
    const env = { FILL: String(sessions), EXPIRED: String(expired), HOT: String(hot), COOKIES_FILE: cookies, HOT_FILE: hotCookies };
    const filled = await startPeer(scalePeer, { env, dataDir: join(dir, 'data'), timeout: 20 * 60_000 });
    running.push(filled);
    const rawUws = await startPeer(raw);
    running.push(rawUws);
    const stats = JSON.parse((await get(filled.port, '/__stats')).body) as { fillMs: number; fileBytes: number };
    result.lmdb = { ...stats, bytesPerSession: stats.fileBytes / sessions };

    log('  read cycle over the LmdbStore');
    try {
      const lmdb = await runChild<{ cycle: ReadCycleFigure[] }>(
        ['--lmdb', join(dir, 'data', 'sessions'), '--cookies', cookies, '--hot', String(hot), ...(quick ? ['--quick'] : [])],
        [],
      );
      result.cycle.push(...lmdb.cycle);
    } catch (error) {
      fail('LmdbStore read cycle', error);
    }

    if (loadGenerator() === undefined) {
      result.notes.push('HTTP rows and the expiry sweep under load not measured: wrk is not installed (see the HTTP suite)');
      return result;
    }
    const loads: { id: ScaleHttpFigure['id']; port: number; headers: Record<string, string>; cookies?: string }[] = [
      { id: 'raw-uws', port: rawUws.port, headers: { cookie: FAKE_COOKIE } },
      { id: 'lmdb-hot', port: filled.port, headers: {}, cookies: hotCookies },
      { id: 'lmdb-uniform', port: filled.port, headers: {}, cookies },
    ];
    const runs = new Map<string, LoadResult[]>(loads.map((l) => [l.id, []]));
    const load = (l: (typeof loads)[number], seconds: number): Promise<LoadResult> =>
      runLoad({ url: `http://127.0.0.1:${l.port}/get`, headers: l.headers, connections: 64, duration: seconds, ...(l.cookies ? { cookies: l.cookies } : {}) });
    log('  warming up');
    for (const l of loads) await load(l, 1);
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < loads.length; i++) {
        const l = loads[(i + rep) % loads.length]!;
        const figure = await load(l, duration);
        runs.get(l.id)!.push(figure);
        log(
          `  rep ${rep + 1}/${reps} /get ${l.id.padEnd(13)} ${Math.round(figure.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${figure.p99.toFixed(2)} ms`,
        );
      }
    }
    const rawRps = median(runs.get('raw-uws')!.map((x) => x.rps));
    for (const l of loads) {
      const list = runs.get(l.id)!;
      const rps = median(list.map((x) => x.rps));
      result.http.push({ id: l.id, rps, p99: median(list.map((x) => x.p99)), ratio: rps / rawRps, runs: list });
    }

    log(`  expiry sweep of ${expired.toLocaleString('en-US')} sessions under /get`);
    try {
      const baseline = await sweepRun(filled, cookies, duration, false);
      const swept = await sweepRun(filled, cookies, duration, true);
      result.sweep = {
        deleted: swept.probe.deleted,
        sweepMs: swept.probe.sweepMs,
        probeMaxMs: swept.probe.probeMaxMs,
        probeMaxBaselineMs: baseline.probe.probeMaxMs,
        eventLoopMaxMs: swept.probe.eventLoopMaxMs,
        eventLoopMaxBaselineMs: baseline.probe.eventLoopMaxMs,
        get: swept.load,
        getBaseline: baseline.load,
        seconds: duration,
      };
      if (swept.probe.sweepMs > (duration - 0.3) * 1000) result.notes.push('the sweep outlasted its /get run: the p99 covers only its start');
    } catch (error) {
      fail('expiry sweep', error);
    }
  } catch (error) {
    fail('LmdbStore scale server', error);
  } finally {
    await Promise.all(running.map(stopPeer));
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
