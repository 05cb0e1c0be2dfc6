// Test support for the deployment examples: start one as a real process, send requests on fresh connections, check that a session crosses processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DocProject } from '../docs/project.js';
import { waitFor } from '../stores/support/processes.js';

export interface Reply {
  status: number;
  body: string;
  servedBy: string;
  setCookie: string[];
}

/** One request on a new connection (no keep-alive), so a balancer may send it to another process. */
export function send(url: string, method: 'GET' | 'POST', cookie?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: cookie === undefined ? {} : { cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, servedBy: String(res.headers['x-served-by'] ?? ''), setCookie: res.headers['set-cookie'] ?? [] }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${method} ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends until a process other than `not` answers (a balancer spreads connections; 20 tries at most). */
export async function sendElsewhere(url: string, method: 'GET' | 'POST', cookie: string, not: string): Promise<Reply> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const reply = await send(url, method, cookie);
    if (reply.servedBy !== not) return reply;
  }
  throw new Error(`every request to ${url} was served by process ${not}`);
}

export interface Example {
  child: ChildProcess;
  url: string;
  /** What it printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL and null after 10 s). */
  stop(): Promise<number | null>;
}

/** Starts an example with tsx and resolves once it prints `pattern` (its first group is the URL); kills it if it has not within 30 s. */
export function startExample(file: string, env: Record<string, string>, pattern: RegExp): Promise<Example> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`${file} did not print ${pattern} within 30 s:\n${out}`));
      void stop();
    }, 30_000);
    const read = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out, stop });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code}) before listening:\n${out}`));
    });
  });
}

/** The session cookie a reply sets, as a Cookie header value. */
function cookieOf(reply: Reply): string {
  const cookie = reply.setCookie.find((line) => line.startsWith('session='));
  if (cookie === undefined) throw new Error(`no session cookie in ${JSON.stringify(reply.setCookie)}`);
  return cookie.split(';')[0]!;
}

/**
 * Login on one process, read the session on another, logout on one, and the old cookie refused on
 * another: what a deployment of several processes on one store must give.
 */
export async function expectSessionsAcrossProcesses(url: string): Promise<void> {
  const login = await send(`${url}/login?user=ada`, 'POST');
  expect(login.status).toBe(200);
  const cookie = cookieOf(login);

  const read = await sendElsewhere(`${url}/me`, 'GET', cookie, login.servedBy);
  expect([read.status, read.body]).toEqual([200, 'you are ada']);
  expect(read.servedBy).not.toBe(login.servedBy);

  const logout = await send(`${url}/logout`, 'POST', cookie);
  expect([logout.status, logout.body]).toEqual([200, 'logged out']);
  const refused = await sendElsewhere(`${url}/me`, 'GET', cookie, logout.servedBy);
  expect([refused.status, refused.body]).toEqual([401, 'not logged in']);
  const again = await sendElsewhere(`${url}/me`, 'GET', cookie, refused.servedBy);
  expect(again.status).toBe(401);
  expect(new Set([login.servedBy, read.servedBy, logout.servedBy, refused.servedBy, again.servedBy]).size).toBeGreaterThan(1);
}

/** A port the OS says is free now. */
function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the server block made `index`-th (without `program=`) in a doc project on a free port, and
 * resolves to its URL once `probe` answers. The process goes into `children`, for the caller to kill.
 */
export async function startDocServer(project: DocProject, index: number, probe: string, children: ChildProcess[]): Promise<string> {
  const file = join(project.dir, `block-${index}`, `block-${index}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: the doc project's layout changed`);
  const port = await osPort();
  const child = spawn(process.execPath, [file], { cwd: join(file, '..'), env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${file} answering on port ${port}`, () => send(`${url}${probe}`, 'GET'), 20_000);
  return url;
}
