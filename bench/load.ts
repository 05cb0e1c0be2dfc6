// HTTP load generators: wrk, or autocannon in a child process when asked for; pinned to a core with taskset.
// Each run also reports how busy the generator kept its own core, so that a generator-bound run is seen.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './proc-cpu.js';
import { trackChild } from './run-scope.js';

export interface LoadResult {
  /** requests per second */
  rps: number;
  /** latency percentiles, ms */
  p50: number;
  p99: number;
  /** socket errors and timeouts */
  errors: number;
  /** responses with a status other than 2xx */
  non2xx: number;
  /** the generator's CPU time over its wall time (1 = one core saturated); NaN where it could not be read */
  generatorCpu: number;
  /** requests completed (NaN where the generator did not say) */
  requests: number;
  /** the server's CPU time per request, µs, and its CPU time over the run's wall time; set by the HTTP suite, NaN where unread */
  serverUs?: number;
  serverCpu?: number;
}

/** A run whose generator used this much of its core or more measured the generator, not the server. */
export const GENERATOR_SATURATED = 0.9;

/** True when the run's generator was busy enough that the server may have been waiting on it. */
export function generatorBound(result: LoadResult): boolean {
  return result.generatorCpu >= GENERATOR_SATURATED;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** seconds */
  duration: number;
  /** a file of Cookie header values, one a line: each request sends one picked uniformly at random */
  cookies?: string;
}

function available(command: string, args: string[]): boolean {
  const run = spawnSync(command, args, { stdio: 'ignore' });
  return run.error === undefined;
}

export const hasTaskset = available('taskset', ['--version']);
export const hasWrk = available('wrk', ['--version']);

/** `taskset -c CORE` in front of a command where taskset exists. */
export function pinned(core: number, command: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
}

/**
 * Runs the command (taskset execs into it, so the pid is the generator's) and samples its CPU time
 * while it runs: the busy share is CPU time over wall time between the first and the last sample.
 */
function collect(command: string, args: string[]): Promise<{ out: string; cpu: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    let err = '';
    let first: { at: number; cpu: number } | undefined;
    let last: { at: number; cpu: number } | undefined;
    const sample = (): void => {
      const cpu = child.pid === undefined ? undefined : cpuSeconds(child.pid);
      if (cpu === undefined) return;
      const point = { at: performance.now(), cpu };
      first ??= point;
      last = point;
    };
    const sampler = setInterval(sample, 200);
    setTimeout(sample, 50);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(sampler);
      const wall = first && last ? (last.at - first.at) / 1000 : 0;
      const cpu = first && last && wall >= 0.3 ? (last.cpu - first.cpu) / wall : Number.NaN;
      if (code === 0) resolve({ out, cpu });
      else reject(new Error(`${command} exited with ${code}: ${err.trim()}`));
    });
  });
}

/** wrk prints durations as 812.00us, 1.20ms or 1.02s. */
function wrkDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 'ms' ? value : match[2] === 's' ? value * 1000 : value * 60_000;
}

/** A wrk script sending, with each request, a Cookie line picked at random from `cookies`. */
function randomCookieScript(cookies: string): string {
  return [
    'local cookies = {}',
    `for line in io.lines(${JSON.stringify(cookies)}) do cookies[#cookies + 1] = line end`,
    'math.randomseed(os.time())',
    'request = function()',
    '  local headers = {}',
    '  for name, value in pairs(wrk.headers) do headers[name] = value end',
    '  headers["Cookie"] = cookies[math.random(#cookies)]',
    '  return wrk.format(nil, nil, headers)',
    'end',
    '',
  ].join('\n');
}

async function runWrk(options: LoadOptions, core: number): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.duration}s`, '--latency'];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
  let scriptDir: string | undefined;
  if (options.cookies !== undefined) {
    scriptDir = mkdtempSync(join(tmpdir(), 'sessionkit-bench-wrk-'));
    writeFileSync(join(scriptDir, 'cookies.lua'), randomCookieScript(options.cookies));
    args.push('-s', join(scriptDir, 'cookies.lua'));
  }
  args.push(options.url);
  let out: string;
  let generatorCpu: number;
  try {
    ({ out, cpu: generatorCpu } = await collect(...pinned(core, 'wrk', args)));
  } finally {
    if (scriptDir !== undefined) rmSync(scriptDir, { recursive: true, force: true });
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in /.exec(out)?.[1]);
  const p50 = wrkDuration(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = wrkDuration(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk output:\n${out}`);
  return { rps, p50, p99, errors, non2xx, generatorCpu, requests };
}

async function runAutocannon(options: LoadOptions, core: number): Promise<LoadResult> {
  const child = fileURLToPath(new URL('./autocannon-child.mjs', import.meta.url));
  const { out } = await collect(...pinned(core, process.execPath, [child, JSON.stringify(options)]));
  // The child measures its own CPU time: sampling it from outside would count Node's start-up.
  const result = JSON.parse(out.trim().split('\n').pop()!) as Omit<LoadResult, 'requests'> & { total: number };
  return { ...result, requests: result.total };
}

export type Generator = 'wrk' | 'autocannon';

/**
 * The generator the HTTP suites measure with: wrk, or autocannon only when BENCH_GENERATOR=autocannon
 * asks for it (it runs in Node and is often slower than the servers it loads). Undefined: none.
 */
export function loadGenerator(): Generator | undefined {
  if (process.env.BENCH_GENERATOR === 'autocannon') return 'autocannon';
  return hasWrk ? 'wrk' : undefined;
}

/** Why the HTTP suites do not measure on this machine, and how to make them. */
export const NO_GENERATOR = [
  'wrk is not installed, so HTTP throughput and ratios are NOT measured (no HTTP goal is checked).',
  'Install wrk and run again: `sudo apt-get install -y wrk` (Debian, Ubuntu), `brew install wrk` (macOS).',
  'BENCH_GENERATOR=autocannon measures with autocannon instead; runs where it saturates its core are flagged, and no goal is met on them.',
].join('\n');

/** The generator's name as the tables print it. */
export function generatorName(): string {
  const generator = loadGenerator();
  return generator === 'wrk' ? 'wrk -t1' : generator === 'autocannon' ? 'autocannon (child process)' : 'none (wrk not installed)';
}

/** One load run on `core` with the generator of loadGenerator(); throws when there is none. */
export function runLoad(options: LoadOptions, core = 1): Promise<LoadResult> {
  const generator = loadGenerator();
  if (generator === undefined) throw new Error(NO_GENERATOR);
  return generator === 'wrk' ? runWrk(options, core) : runAutocannon(options, core);
}
