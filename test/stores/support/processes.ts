// Test support: free loopback ports, running commands, and waiting for a condition, for tests that start private servers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '../../support/time.js';

const execFileAsync = promisify(execFile);

/** Runs a command and resolves to its stdout; rejects with its stderr in the message. */
export async function run(command: string, args: string[], options: { timeout?: number } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { timeout: options.timeout ?? 60_000 });
    return stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The kernel's ephemeral port range (local ports of outgoing connections); Linux's default where it cannot be read. */
export function ephemeralPorts(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isSafeInteger(low) && Number.isSafeInteger(high) && low! <= high!) return { low: low!, high: high! };
  } catch {
    // not Linux: fall through
  }
  return { low: 32_768, high: 60_999 };
}

const LOWEST_PORT = 10_000;

/**
 * A free loopback port below the ephemeral range; with `alsoPlus`, port + alsoPlus is free and below it
 * too (a Redis Cluster bus port is port + 10000). A server stopped and restarted on its port must not
 * find it taken: a port from the ephemeral range can become the local port of any client connection
 * while the server is down, and the restart then fails with "Address already in use".
 */
export async function freePort(alsoPlus = 0): Promise<number> {
  const below = ephemeralPorts().low - alsoPlus;
  if (below - LOWEST_PORT < 100) throw new Error(`no room for test ports below the ephemeral range (${ephemeralPorts().low})`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (below - LOWEST_PORT));
    if ((await canListen(port)) && (alsoPlus === 0 || (await canListen(port + alsoPlus)))) return port;
  }
  throw new Error('no free loopback port found');
}

/** Polls `check` until it resolves truthy, or throws `what` after `timeout` ms. */
export async function waitFor(what: string, check: () => Promise<unknown>, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await sleep(100);
  }
}

/** A new temporary directory; remove it with {@link removeDir}. */
export function tempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `sessionkit-${name}-`));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A random lower-case suffix for table names and key prefixes, so parallel runs share a server without colliding. */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}
