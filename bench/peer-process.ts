// Starting and stopping peer servers (one or more processes on core 0) and the plain HTTP client the suites use.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './load.js';
import { peerNodeArgs } from './peer-command.mjs';
import type { Peer } from './peers.js';
import { trackChild } from './run-scope.js';

export const FAKE_COOKIE = 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const MESSAGE = 'Hello from a session!';

export interface Running {
  peer: Peer;
  port: number;
  children: ChildProcess[];
  dataDir: string;
}

export interface StartOptions {
  /** extra environment for the peer (Redis prefix, table name, fill size, ...) */
  env?: Record<string, string>;
  /** ms to wait for "ready"; default 20 s */
  timeout?: number;
  /** an existing data directory (kept on stop); default a fresh temp dir, removed on stop */
  dataDir?: string;
}

function startProcess(peer: Peer, port: number, dataDir: string, options: StartOptions): Promise<ChildProcess> {
  const [command, args] = pinned(0, process.execPath, peerNodeArgs(peer.file));
  const child = spawn(command, args, {
    env: { ...process.env, ...peer.env, ...options.env, PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  const timeout = options.timeout ?? 20_000;
  return new Promise((resolve, reject) => {
    let err = '';
    const tail = (): string => (err ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : '');
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`did not print "ready" within ${timeout / 1000} s${tail()}`));
    }, timeout);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}${tail()}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Peers started on a data directory the caller gave: stopping them leaves it in place. */
const keptDirs = new WeakSet<Running>();

/** A TCP port on 127.0.0.1 that the OS reports free (it listens on port 0, reads the port, and closes). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}

/** Starts the peer's processes one after another (all on one free port) and resolves once each printed "ready". */
export async function startPeer(peer: Peer, options: StartOptions = {}): Promise<Running> {
  const port = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `sessionkit-bench-${peer.id}-`));
  const children: ChildProcess[] = [];
  try {
    for (let k = 0; k < (peer.processes ?? 1); k++) children.push(await startProcess(peer, port, dataDir, options));
  } catch (error) {
    await Promise.all(children.map(stopProcess));
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = { peer, port, children, dataDir };
  if (options.dataDir !== undefined) keptDirs.add(running);
  return running;
}

export async function stopPeer(running: Running): Promise<void> {
  await Promise.all(running.children.map(stopProcess));
  if (!keptDirs.has(running)) rmSync(running.dataDir, { recursive: true, force: true });
}

/** One GET on 127.0.0.1, the body read whole. */
export function get(port: number, path: string, cookie?: string): Promise<{ status: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: cookie ? { cookie } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A fresh session cookie from the peer: a /put, its Set-Cookie reduced to `name=value`, checked with a /get. */
export async function sessionCookie(running: Running): Promise<{ cookie: string; note?: string }> {
  if (running.peer.bare) return { cookie: FAKE_COOKIE };
  const put = await get(running.port, '/put');
  const pair = put.setCookie[0]?.split(';')[0];
  if (pair === undefined) return { cookie: FAKE_COOKIE, note: 'no session cookie from /put: requests ran without a session' };
  const check = await get(running.port, '/get', pair);
  if (check.body !== MESSAGE) return { cookie: pair, note: `the session lost its value: /get answered "${check.body.slice(0, 40)}"` };
  return { cookie: pair };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
