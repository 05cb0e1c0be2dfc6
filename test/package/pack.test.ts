// The package as a user gets it: packed in a fresh clone and installed from the tarball, and installed from a git URL, each into a fresh app.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsCompilerOptions } from '../docs/project.js';
import { randomSuffix } from '../stores/support/processes.js';
import { ok, run, type Run } from '../support/commands.js';
import { appPackages, cleanCopy, defaultImportScript, emptyApp, freePort, npmInstall, putThenGet, quickStart, redisScript } from './apps.js';
import { checkTs, entries, forbiddenForCore, hooksMjs, linkedPeers, registerMjs, tsconfig } from './fixture.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const rootTsc = join(root, 'node_modules/typescript/bin/tsc');
const SLOW = 600_000;

/** Packages (by node_modules folder) that importing `specifiers` in one process loaded, recorded by a resolve hook. */
async function loadedBy(app: string, ...specifiers: string[]): Promise<string[]> {
  const log = join(app, `resolved-${specifiers.join('+').replace(/\W/g, '_')}.log`);
  await writeFile(log, '');
  const script = specifiers.map((specifier) => `await import(${JSON.stringify(specifier)});`).join(' ');
  await ok('node', ['--import', './register.mjs', '--input-type=module', '-e', script], app, { RESOLVE_LOG: log });
  const packages = new Set<string>();
  for (const url of (await readFile(log, 'utf8')).split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]!);
  }
  return [...packages].sort();
}

/** Compiles the README's quick start and a RedisStore script with the app's TypeScript and the docs' tsconfig, into build/. */
async function writeQuickStart(app: string, redisPrefix: string): Promise<Run> {
  await mkdir(join(app, 'src'));
  await writeFile(join(app, 'src/quickstart.ts'), await quickStart(root));
  await writeFile(join(app, 'src/redis.ts'), redisScript(redisPrefix));
  const compilerOptions = { ...docsCompilerOptions(root), noEmit: false, outDir: 'build', rootDir: 'src' };
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  return run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], app);
}

/** Starts the compiled quick start on a free port, does what its curl lines do, stops it; the /get body. */
async function runQuickStart(app: string): Promise<string> {
  const port = await freePort();
  const server = spawn('node', ['build/quickstart.js'], { cwd: app, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  try {
    return await putThenGet(port);
  } finally {
    server.kill('SIGKILL');
  }
}

let work = '';
let app = '';
let gitApp = '';
let tarball = '';
let tarballFiles: string[] = [];
const redisPrefix = `sessionkit-test:${randomSuffix()}:`;
const pending: Record<string, Promise<Run>> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sessionkit-pack-'));
  app = join(work, 'app');
  gitApp = join(work, 'git-app');
  const source = join(work, 'source');
  const commit = await cleanCopy(root, source);
  // From a git URL npm clones the repository, installs its dev dependencies and runs `prepare`.
  const fromGit = emptyApp(gitApp, 'git-check-app').then(() => npmInstall(gitApp, [`git+file://${source}#${commit}`, ...appPackages]));
  fromGit.catch(() => {}); // awaited below
  // npm pack in the fresh copy runs `prepare` too (the build); its tools come from this repository's install.
  await symlink(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');
  await ok('npm', ['pack', '--pack-destination', work], source); // its output mixes the build's with the report: read the folder
  tarball = join(work, (await readdir(work)).find((name) => name.endsWith('.tgz'))!);
  tarballFiles = (await ok('tar', ['tzf', tarball], work))
    .trim()
    .split('\n')
    .map((file) => file.replace(/^package\//, ''));
  // The linters read only the tarball: start them now, beside the installs and the type checks.
  pending.attw = run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], work);
  pending.publint = run(bin('publint'), ['run', tarball, '--strict'], work);
  await emptyApp(app, 'pack-check-app');
  await npmInstall(app, [tarball, ...appPackages]);
  for (const name of linkedPeers) {
    const target = join(app, 'node_modules', name);
    if (existsSync(target)) continue; // installed above at a newer major than this repository tests with
    await mkdir(dirname(target), { recursive: true });
    await symlink(await realpath(join(root, 'node_modules', name)), target, 'dir');
  }
  await writeFile(join(app, 'check.ts'), checkTs);
  await writeFile(join(app, 'hooks.mjs'), hooksMjs);
  await writeFile(join(app, 'register.mjs'), registerMjs);
  for (const resolution of ['nodenext', 'bundler'] as const) {
    await writeFile(join(app, `tsconfig.${resolution}.json`), tsconfig(resolution));
    pending[`${resolution} 5.9`] = run('node', [rootTsc, '-p', `tsconfig.${resolution}.json`], app);
    pending[`${resolution} 7`] = run('node', ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${resolution}.json`], app);
  }
  await fromGit;
}, SLOW);

afterAll(async () => {
  await Promise.allSettled(Object.values(pending));
  if (work !== '') await rm(work, { recursive: true, force: true });
}, SLOW);

describe.each([
  ['the tarball packed in a fresh clone', () => app],
  ['a git URL install', () => gitApp],
])('%s, installed into a fresh app with ioredis 6 and TypeScript 7', (_, appDir) => {
  it(
    "runs the README's quick start, compiled with TypeScript 7 and the docs' tsconfig",
    async () => {
      const compiled = await writeQuickStart(appDir(), redisPrefix);
      expect(compiled.output).toBe('');
      expect(await runQuickStart(appDir())).toBe('Hello from a session!');
    },
    SLOW,
  );

  it(
    'stores a session in Redis with ioredis 6, its client imported by name (typed) or as the default export (JavaScript)',
    async () => {
      expect(JSON.parse(await readFile(join(appDir(), 'node_modules/ioredis/package.json'), 'utf8')).version).toMatch(/^6\./);
      if (!existsSync(join(appDir(), 'build/redis.js'))) expect((await writeQuickStart(appDir(), redisPrefix)).output).toBe('');
      expect((await ok('node', ['build/redis.js'], appDir())).trim()).toBe('kept in Redis');
      await writeFile(join(appDir(), 'default-import.mjs'), defaultImportScript(redisPrefix));
      expect((await ok('node', ['default-import.mjs'], appDir())).trim()).toBe('1,2,3');
    },
    SLOW,
  );

  it('has the built package: every entry point resolves to a file that exists', async () => {
    const manifest = JSON.parse(await readFile(join(appDir(), 'node_modules/sessionkit/package.json'), 'utf8')) as {
      exports: Record<string, { types: string; import: string } | string>;
    };
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === 'string' ? [target] : [target.types, target.import]) {
        expect(existsSync(join(appDir(), 'node_modules/sessionkit', file)), file).toBe(true);
      }
    }
  });
});

describe('the packed tarball, installed into a fresh app', () => {
  it('ships the built files with their sources, the docs, the license and package.json', async () => {
    const files = tarballFiles.map((file) => `package/${file}`);
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/dist/src/index.js');
    expect(files).toContain('package/dist/src/adapters/fastify.d.ts');
    expect(files).toContain('package/dist/src/adapters/hono.js');
    expect(files).toContain('package/src/index.ts');
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/docs/stores.md');
    expect(files).toContain('package/docs/api/README.md');
    const shipped =
      /^package\/(dist\/(src|native-store)\/|(src|native-store)\/.+\.ts$|docs\/([a-z-]+|api\/README|api\/sessionkit(\/[a-z-]+)?)\.md$|package\.json$|README\.md$|LICENSE$)/;
    expect(files.filter((file) => !shipped.test(file))).toEqual([]);
  });

  it('ships every file its source maps and declaration maps point at', async () => {
    const unpacked = join(work, 'unpacked');
    await mkdir(unpacked);
    await ok('tar', ['xzf', tarball, '-C', unpacked], work);
    const maps = tarballFiles.filter((file) => file.endsWith('.map'));
    expect(maps.filter((file) => file.endsWith('.d.ts.map')).length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(unpacked, 'package', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        if (!existsSync(join(unpacked, 'package', dirname(map), source))) missing.push(`${map} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it(
    'imports every entry point as ESM',
    async () => {
      const script = `for (const entry of ${JSON.stringify(entries)}) { const m = await import(entry); if (Object.keys(m).length === 0) throw new Error(entry + ' exports nothing'); }`;
      await ok('node', ['--input-type=module', '-e', script], app);
    },
    SLOW,
  );

  it(
    'importing sessionkit loads no driver, uWS, lmdb, fastify or hono (and the hook sees them when they load)',
    async () => {
      const [core, lmdb, fastify, typeOnly] = await Promise.all([
        loadedBy(app, 'sessionkit'),
        loadedBy(app, 'sessionkit/lmdb'),
        loadedBy(app, 'sessionkit/fastify'),
        // these entries import their framework or driver for types only (store-kit imports none)
        loadedBy(
          app,
          'sessionkit/hono',
          'sessionkit/uws',
          'sessionkit/node',
          'sessionkit/redis',
          'sessionkit/postgres',
          'sessionkit/mysql',
          'sessionkit/store-kit',
        ),
      ]);
      expect(core).toEqual(['msgpackr', 'sessionkit']);
      for (const name of forbiddenForCore) expect(core.some((loaded) => loaded === name || loaded.startsWith(`${name}/`))).toBe(false);
      expect(lmdb).toContain('lmdb');
      expect(fastify).toContain('fastify-plugin');
      expect(typeOnly).toEqual(['msgpackr', 'sessionkit']);
    },
    SLOW,
  );

  // lmdb's own index.d.ts uses `export =` in an ES module, which a library check rejects (TS1203), and
  // ioredis 6's declarations import redis-errors, which has no types (TS7016); these are the only errors
  // allowed: sessionkit's declarations and the app must check clean.
  it.each(['nodenext 5.9', 'bundler 5.9', 'nodenext 7', 'bundler 7'])(
    'type-checks an import of every entry under moduleResolution %s with skipLibCheck false',
    async (check) => {
      const result = await pending[check]!;
      const errors = result.output.split('\n').filter((line) => /error TS\d+/.test(line));
      const foreign = errors.filter(
        (line) =>
          !/node_modules\/lmdb\/index\.d\.ts\(\d+,\d+\): error TS1203:/.test(line) &&
          !/node_modules\/ioredis\/built\/errors\/\w+\.d\.ts\(\d+,\d+\): error TS7016: .* module 'redis-errors'/.test(line),
      );
      expect(foreign).toEqual([]);
      // tsc either passed or failed only on the allowed lines (never exited without a diagnostic)
      expect(result.code === 0 || errors.length > 0, result.output).toBe(true);
    },
    SLOW,
  );

  it(
    'passes publint (strict) and @arethetypeswrong/cli (ESM-only profile)',
    async () => {
      const publint = await pending.publint!;
      expect(publint.code, publint.output).toBe(0);
      const attw = await pending.attw!;
      expect(attw.code, attw.output).toBe(0);
    },
    SLOW,
  );
});
