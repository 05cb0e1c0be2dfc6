// How a peer server is started: the node flags every peer gets, and the file it runs. Plain JavaScript
// so that bench/profile.mjs (run by node itself) and the TypeScript suites share it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * V8 grows the young generation gradually under load, and when the first full GC of a process comes
 * while it is idle it shrinks it again: a server can spend its whole 4 s rep at a quarter of the
 * steady-state size, or not, by chance of timing (same Fastify peer: 20-22 µs per /get against
 * 14-15 µs). Every peer, bare or not, starts at V8's default maximum (16 MiB per semi-space on
 * 64-bit), the size a long-running server settles at, so the ratios compare code, not GC timing.
 */
export const PEER_NODE_FLAGS = ['--min-semi-space-size=16'];

let built = false;

/**
 * Compiles the TypeScript peers (and the sources they import) to .bench-build/ with tsc, once per
 * process: peers run as users run sessionkit, built JavaScript on plain node. Under tsx the same
 * Fastify peer spent 22-25 µs per /get against 15-17 µs built.
 */
export function buildPeers() {
  if (built) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) {
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(0, 20).join('\n');
    throw new Error(`bench: compiling the TypeScript peers failed (tsc -p tsconfig.bench.json):\n${output || run.error?.message}`);
  }
  built = true;
}

/** Node arguments that start the peer script `file` (a name in bench/peers/): flags, then the script. */
export function peerNodeArgs(file) {
  if (!file.endsWith('.ts')) return [...PEER_NODE_FLAGS, fileURLToPath(new URL(`./peers/${file}`, import.meta.url))];
  buildPeers();
  return [...PEER_NODE_FLAGS, `${root}.bench-build/bench/peers/${file.replace(/\.ts$/, '.js')}`];
}
