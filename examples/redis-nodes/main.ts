// Starts two app processes on one Redis and the balancer in front of them on one port; stops them all on SIGTERM or Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const port = process.env.PORT ?? '4000';
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js'; // run with tsx from the sources, or with node from dist/
const children: ChildProcess[] = [];

/** Starts `file` beside this one with extra environment; resolves to the URL it prints once listening. */
function start(file: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL(`${file}${extension}`, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`redis-nodes: ${file} exited (${code}) before listening`)));
  });
}

const stop = (): void => {
  for (const child of children) child.kill('SIGTERM');
  Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve))))).then(
    () => process.exit(), // with process.exitCode: 1 after a failed start
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  // Each app asks the OS for a port; the balancer learns them.
  const apps = await Promise.all([start('app', { PORT: '0' }), start('app', { PORT: '0' })]);
  const balancer = await start('balancer', { PORT: port, UPSTREAMS: apps.map((url) => new URL(url).host).join(',') });
  console.log(`redis-nodes: ${apps.length} apps behind ${balancer}`);
} catch (error) {
  console.error((error as Error).message);
  stop();
  process.exitCode = 1;
}
