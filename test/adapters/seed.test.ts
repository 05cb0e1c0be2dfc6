// The seed example, run as a real process and driven by the real curl binary, as the README transcript shows.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);

let child: ChildProcess | undefined;
let dir = '';
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startSeed(file: string): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'sessionkit-seed-'));
  child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, PORT: '0', DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child!.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child!.on('exit', (code) => reject(new Error(`seed exited (${code}): ${out}`)));
  });
}

describe.each([
  ['uWebSockets.js', 'examples/seed.ts'],
  ['node:http', 'examples/seed-node.ts'],
])('seed example on %s', (_name, file) => {
  it('reproduces the curl transcript and stops cleanly on SIGTERM', async () => {
    const url = await startSeed(file);
    const jar = join(dir, 'cj');
    const put = await run('curl', ['-si', '--cookie-jar', jar, '--cookie', jar, `${url}/put`]);
    expect(put.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(put.stdout).toMatch(/\r\nVary: Cookie\r\n/i);
    expect(put.stdout).toMatch(/\r\nSet-Cookie: session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=[^;]+ GMT; Max-Age=86400\r\n/i);
    expect(put.stdout).toMatch(/\r\nCache-Control: no-cache="Set-Cookie"\r\n/i);
    const get = await run('curl', ['-si', '--cookie-jar', jar, '--cookie', jar, `${url}/get`]);
    expect(get.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(get.stdout).not.toMatch(/Set-Cookie/i);
    expect(get.stdout.endsWith('\r\n\r\nHello from a session!')).toBe(true);
    const fresh = await run('curl', ['-s', `${url}/get`]);
    expect(fresh.stdout).toBe('');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  });
});
