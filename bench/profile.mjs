// CPU-profiles one peer server under load and prints its top frames.
// Usage: node bench/profile.mjs [--peer uws-memory] [--path /get] [--no-cookie] [--seconds 6]
// Profiles land in bench/results/profiles/ (open them in Chrome DevTools > Performance, or read the printed top).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { peerNodeArgs } from './peer-command.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i === -1 ? fallback : argv[i + 1];
};
const peers = {
  'raw-uws': ['raw-uws.mjs', {}],
  'uws-memory': ['uws-sessionkit.ts', { STORE: 'memory' }],
  'uws-lmdb': ['uws-sessionkit.ts', { STORE: 'lmdb' }],
  'uws-lmdb-single': ['uws-sessionkit.ts', { STORE: 'lmdb', LMDB_OPTIONS: '{"shared":false}' }],
  'uws-redis': ['uws-sessionkit.ts', { STORE: 'redis' }],
  'uws-redis-near': ['uws-sessionkit.ts', { STORE: 'redis-near' }],
  'raw-node': ['raw-node.mjs', {}],
  'node-memory': ['node-sessionkit.ts', {}],
  'raw-fastify': ['raw-fastify.mjs', {}],
  'fastify-sessionkit': ['fastify-sessionkit.ts', {}],
  'raw-hono': ['raw-hono.mjs', {}],
  'hono-sessionkit': ['hono-sessionkit.ts', {}],
  'raw-express': ['raw-express.mjs', {}],
  'express-sessionkit': ['express-sessionkit.ts', {}],
};
const peer = option('--peer', 'uws-memory');
const path = option('--path', '/get');
const seconds = Number(option('--seconds', '6'));
const withCookie = !argv.includes('--no-cookie');
const [file, env] = peers[peer] ?? [];
if (file === undefined) {
  console.error(`profile: --peer is one of ${Object.keys(peers).join(', ')}`);
  process.exit(2);
}
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const dir = here(`./results/profiles/${peer}${path.replace(/\//g, '-')}${withCookie ? '' : '-new'}/`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const taskset = spawnSync('taskset', ['--version']).error === undefined;
const wrk = spawnSync('wrk', ['--version']).error === undefined;
const pin = (core, cmd, args) => (taskset ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);
// A port the OS reports free.
const port = await new Promise((resolve, reject) => {
  const probe = createServer().once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', dir, ...peerNodeArgs(file)];
const server = spawn(...pin(0, process.execPath, nodeArgs), { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => server.stdout.on('data', (c) => c.toString().includes('ready') && resolve()));

const get = (p, cookie) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['set-cookie']?.[0]?.split(';')[0]));
    });
    req.on('error', reject);
    req.end();
  });
const cookie = withCookie ? ((await get('/put')) ?? 'session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') : undefined;
const url = `http://127.0.0.1:${port}${path}`;
const load = wrk
  ? pin(1, 'wrk', ['-t1', '-c64', `-d${seconds}s`, ...(cookie ? ['-H', `Cookie: ${cookie}`] : []), url])
  : pin(1, process.execPath, [here('./autocannon-child.mjs'), JSON.stringify({ url, connections: 64, duration: seconds, headers: cookie ? { cookie } : {} })]);
const out = spawnSync(load[0], load[1], { encoding: 'utf8' });
console.log(
  out.stdout
    .trim()
    .split('\n')
    .filter((l) => /Requests\/sec|rps|Latency/.test(l))
    .join('\n'),
);
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
const files = readdirSync(dir).map((f) => dir + f);
spawnSync(process.execPath, [here('./profile-top.mjs'), ...files, '--top', option('--top', '30')], { stdio: 'inherit' });
console.log(`\nprofiles: ${dir}`);
