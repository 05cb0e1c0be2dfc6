// HTTP load generators: wrk when installed, else autocannon in a child process; pinned to a core with taskset.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function collect(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}: ${err.trim()}`))));
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
  try {
    out = await collect(...pinned(core, 'wrk', args));
  } finally {
    if (scriptDir !== undefined) rmSync(scriptDir, { recursive: true, force: true });
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = wrkDuration(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = wrkDuration(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk output:\n${out}`);
  return { rps, p50, p99, errors, non2xx };
}

async function runAutocannon(options: LoadOptions, core: number): Promise<LoadResult> {
  const child = fileURLToPath(new URL('./autocannon-child.mjs', import.meta.url));
  const out = await collect(...pinned(core, process.execPath, [child, JSON.stringify(options)]));
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** The generator runLoad will use. */
export function generatorName(): string {
  return useWrk() ? 'wrk -t1' : 'autocannon (child process)';
}

/** One load run on `core` with the generator this machine has (wrk preferred; BENCH_GENERATOR=autocannon forces it). */
export function runLoad(options: LoadOptions, core = 1): Promise<LoadResult> {
  return useWrk() ? runWrk(options, core) : runAutocannon(options, core);
}

export function useWrk(): boolean {
  return hasWrk && process.env.BENCH_GENERATOR !== 'autocannon';
}
